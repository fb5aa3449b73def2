namespace Wallfacer.Gguf;

/// <summary>
/// A GGUF file (or a value in it) is malformed or not what the caller expected. The message reads
/// <c>"&lt;file&gt;: at offset N: &lt;what&gt;"</c> so a user can find the bad byte with a hex editor.
/// </summary>
public class GgufFormatException : Exception
{
    /// <summary>Creates an exception for a problem at <paramref name="offset"/> (negative when unknown).</summary>
    public GgufFormatException(string reason, long offset = -1, string? filePath = null, Exception? inner = null)
        : base(FormatMessage(reason, offset, filePath), inner)
    {
        Reason = reason;
        Offset = offset;
        FilePath = filePath;
    }

    /// <summary>Byte offset in the file where the problem was found, or -1 when it is not tied to one.</summary>
    public long Offset { get; }

    /// <summary>The file's path (or the name given to <see cref="GgufFile.Parse"/>), when known.</summary>
    public string? FilePath { get; }

    /// <summary>What was wrong, without the file and offset prefix.</summary>
    public string Reason { get; }

    private static string FormatMessage(string reason, long offset, string? filePath)
    {
        string file = filePath ?? "<gguf>";
        return offset >= 0 ? $"{file}: at offset {offset}: {reason}" : $"{file}: {reason}";
    }
}
