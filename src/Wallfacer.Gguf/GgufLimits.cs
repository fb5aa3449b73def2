namespace Wallfacer.Gguf;

/// <summary>
/// Limits the reader and writer enforce, so that untrusted files are bounded (design.md, decision 12).
/// </summary>
public static class GgufLimits
{
    /// <summary>Tensor rank limit (ggml's GGML_MAX_DIMS).</summary>
    public const int MaxDimensions = 4;

    /// <summary>Longest tensor name in UTF-8 bytes (ggml stores names in 64 bytes including the terminator).</summary>
    public const int MaxTensorNameBytes = 63;

    /// <summary>Deepest nesting of arrays of arrays (an array of scalars is level 1).</summary>
    public const int MaxArrayNesting = 8;

    /// <summary>Alignment used when <c>general.alignment</c> is absent (GGUF_DEFAULT_ALIGNMENT).</summary>
    public const int DefaultAlignment = 32;

    /// <summary>GGUF versions this library reads and writes.</summary>
    public const uint MinVersion = 2, MaxVersion = 3;

    /// <summary>The four magic bytes "GGUF" read as a little-endian uint32.</summary>
    internal const uint Magic = 0x46554747;
}
