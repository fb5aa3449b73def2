namespace Wallfacer.Gguf;

/// <summary>
/// The type tag of a GGUF metadata value, numbered exactly as llama.cpp's <c>enum gguf_type</c>
/// (ggml/include/gguf.h), because files store these numbers.
/// </summary>
public enum GgufValueType : uint
{
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
}

/// <summary>Facts about <see cref="GgufValueType"/> used by the reader and the writer.</summary>
internal static class GgufValueTypes
{
    /// <summary>True for the thirteen types the format defines.</summary>
    public static bool IsDefined(GgufValueType type) => (uint)type <= (uint)GgufValueType.Float64;

    /// <summary>Bytes of one fixed-size value; 0 for strings and arrays, whose size varies.</summary>
    public static int FixedSize(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 => 8,
        _ => 0,
    };

    /// <summary>
    /// The fewest bytes one value of <paramref name="type"/> can occupy in a file: a string is at
    /// least its 8-byte length, a nested array at least its 4-byte element type and 8-byte count.
    /// Used to bound a claimed element count by the bytes that remain, before allocating.
    /// </summary>
    public static int MinimumEncodedSize(GgufValueType type) => type switch
    {
        GgufValueType.String => 8,
        GgufValueType.Array => 12,
        _ => FixedSize(type),
    };
}
