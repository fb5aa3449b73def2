using System.Runtime.InteropServices;

namespace Wallfacer.Gguf;

/// <summary>
/// One immutable GGUF metadata value: a scalar, a string, or an array. Arrays of scalars and of
/// strings are held as one typed .NET array (<c>float[]</c>, <c>int[]</c>, <c>string[]</c>, …) —
/// never as boxed elements, since 150k-element vocabularies are common; arrays of arrays hold
/// <see cref="GgufValue"/>[] whose items are themselves arrays.
/// </summary>
/// <remarks>
/// The typed accessors (<see cref="AsInt32"/>, <see cref="AsSingle"/>, …) convert between numeric
/// types when the value fits and throw <see cref="InvalidCastException"/> otherwise;
/// <see cref="GgufMetadata"/>'s getters turn that into a <see cref="GgufFormatException"/> naming the key.
/// </remarks>
public sealed partial class GgufValue : IEquatable<GgufValue>
{
    private GgufValue(GgufValueType type, GgufValueType? elementType, object value)
    {
        Type = type;
        ElementType = elementType;
        Value = value;
    }

    /// <summary>The value's type; <see cref="GgufValueType.Array"/> for arrays.</summary>
    public GgufValueType Type { get; }

    /// <summary>For arrays, the type of their elements (<see cref="GgufValueType.Array"/> for nested arrays); null otherwise.</summary>
    public GgufValueType? ElementType { get; }

    /// <summary>
    /// The raw value: <c>string</c>, <c>bool</c>, a boxed number of the exact type, a typed array
    /// (<c>byte[]</c>, <c>sbyte[]</c>, <c>ushort[]</c>, <c>short[]</c>, <c>uint[]</c>, <c>int[]</c>,
    /// <c>float[]</c>, <c>bool[]</c>, <c>string[]</c>, <c>ulong[]</c>, <c>long[]</c>, <c>double[]</c>),
    /// or <see cref="GgufValue"/>[] for arrays of arrays. Arrays are shared: do not modify them.
    /// </summary>
    public object Value { get; }

    /// <summary>True when this value is an array.</summary>
    public bool IsArray => Type == GgufValueType.Array;

    /// <summary>Number of elements of an array; throws <see cref="InvalidCastException"/> for a scalar.</summary>
    public int ArrayLength => IsArray ? ((Array)Value).Length : throw Mismatch("an array");

    /// <summary>A short human-readable description, e.g. <c>UInt32 4096</c> or <c>Array&lt;String&gt;[32000]</c>.</summary>
    public string TypeName => IsArray ? $"Array<{ElementType}>[{((Array)Value).Length}]" : Type.ToString();

    /// <inheritdoc />
    public override string ToString() => IsArray ? TypeName : $"{Type} {Value}";

    /// <inheritdoc />
    public bool Equals(GgufValue? other)
    {
        if (other is null)
            return false;
        if (ReferenceEquals(this, other))
            return true;
        if (Type != other.Type || ElementType != other.ElementType)
            return false;
        return (Value, other.Value) switch
        {
            (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
            (float a, float b) => BitConverter.SingleToUInt32Bits(a) == BitConverter.SingleToUInt32Bits(b),
            (double a, double b) => BitConverter.DoubleToUInt64Bits(a) == BitConverter.DoubleToUInt64Bits(b),
            (string[] a, string[] b) => a.AsSpan().SequenceEqual(b),
            (GgufValue[] a, GgufValue[] b) => a.AsSpan().SequenceEqual(b),
            (Array a, Array b) => ArrayBytes(a).SequenceEqual(ArrayBytes(b)),
            _ => Value.Equals(other.Value),
        };
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as GgufValue);

    /// <inheritdoc />
    public override int GetHashCode() =>
        HashCode.Combine(Type, ElementType, Value is Array array ? array.Length : Value.GetHashCode());

    /// <summary>The bytes of a blittable typed array (compares floats bit for bit, NaNs included).</summary>
    private static ReadOnlySpan<byte> ArrayBytes(Array array) => array switch
    {
        byte[] a => a,
        sbyte[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        ushort[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        short[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        uint[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        int[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        float[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        bool[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        ulong[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        long[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        double[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        _ => throw new InvalidOperationException($"Unexpected array type {array.GetType()}."),
    };

    private InvalidCastException Mismatch(string expected) =>
        new($"expected {expected}, but the value is {TypeName}");
}
