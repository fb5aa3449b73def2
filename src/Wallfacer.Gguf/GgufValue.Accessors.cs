namespace Wallfacer.Gguf;

public sealed partial class GgufValue
{
    /// <summary>The string; throws <see cref="InvalidCastException"/> for any other type.</summary>
    public string AsString() => Value as string ?? throw Mismatch("String");

    /// <summary>The boolean; throws <see cref="InvalidCastException"/> for any other type.</summary>
    public bool AsBool() => Value is bool b ? b : throw Mismatch("Bool");

    /// <summary>Any integer value that fits in <see cref="long"/>.</summary>
    public long AsInt64() => (long)Narrow(long.MinValue, long.MaxValue, "Int64");

    /// <summary>Any non-negative integer value.</summary>
    public ulong AsUInt64() => (ulong)Narrow(ulong.MinValue, ulong.MaxValue, "UInt64");

    /// <summary>Any integer value that fits in <see cref="int"/>.</summary>
    public int AsInt32() => (int)Narrow(int.MinValue, int.MaxValue, "Int32");

    /// <summary>Any integer value that fits in <see cref="uint"/>.</summary>
    public uint AsUInt32() => (uint)Narrow(uint.MinValue, uint.MaxValue, "UInt32");

    /// <summary>A Float32 value, or a Float64 or integer value converted (rounded) to <see cref="float"/>.</summary>
    public float AsSingle() => Value is float f ? f : (float)AsDouble("Float32");

    /// <summary>A Float32, Float64 or integer value as <see cref="double"/>.</summary>
    public double AsDouble() => AsDouble("Float64");

    /// <summary>A copy of an array of strings.</summary>
    public string[] AsStringArray() => ElementType == GgufValueType.String && Value is string[] a ? (string[])a.Clone() : throw Mismatch("Array<String>");

    /// <summary>A copy of an array of Float32 (Float64 and integer arrays are converted).</summary>
    public float[] AsSingleArray() => Value switch
    {
        float[] a when ElementType == GgufValueType.Float32 => (float[])a.Clone(),
        double[] a when ElementType == GgufValueType.Float64 => Array.ConvertAll(a, x => (float)x),
        _ => Array.ConvertAll(IntegerArray("Array<Float32>"), x => (float)x),
    };

    /// <summary>A copy of an integer array whose every element fits in <see cref="int"/>.</summary>
    public int[] AsInt32Array()
    {
        if (ElementType == GgufValueType.Int32 && Value is int[] ints)
            return (int[])ints.Clone();
        var wide = IntegerArray("Array<Int32>");
        var result = new int[wide.Length];
        for (int i = 0; i < wide.Length; i++)
        {
            if (wide[i] < int.MinValue || wide[i] > int.MaxValue)
                throw new InvalidCastException($"expected Array<Int32>, but element {i} of {TypeName} is {wide[i]}, which does not fit");
            result[i] = (int)wide[i];
        }
        return result;
    }

    /// <summary>A copy of an integer array whose every element fits in <see cref="long"/>.</summary>
    public long[] AsInt64Array()
    {
        if (ElementType == GgufValueType.Int64 && Value is long[] longs)
            return (long[])longs.Clone();
        var wide = IntegerArray("Array<Int64>");
        var result = new long[wide.Length];
        for (int i = 0; i < wide.Length; i++)
        {
            if (wide[i] < long.MinValue || wide[i] > long.MaxValue)
                throw new InvalidCastException($"expected Array<Int64>, but element {i} of {TypeName} is {wide[i]}, which does not fit");
            result[i] = (long)wide[i];
        }
        return result;
    }

    /// <summary>
    /// The elements as values. Cheap for arrays of arrays; for typed arrays this boxes every element,
    /// so prefer the typed accessors for large arrays.
    /// </summary>
    public IReadOnlyList<GgufValue> AsArray()
    {
        switch (Value)
        {
            case GgufValue[] nested:
                return nested;
            case Array array when ElementType is { } elementType:
                var items = new GgufValue[array.Length];
                for (int i = 0; i < items.Length; i++)
                    items[i] = new GgufValue(elementType, null, array.GetValue(i)!);
                return items;
            default:
                throw Mismatch("an array");
        }
    }

    private double AsDouble(string expected) => Value switch
    {
        float f => f,
        double d => d,
        _ => (double)(TryGetInteger(out Int128 i) ? i : throw Mismatch(expected)),
    };

    private Int128 Narrow(Int128 min, Int128 max, string expected)
    {
        if (!TryGetInteger(out Int128 value))
            throw Mismatch(expected);
        if (value < min || value > max)
            throw new InvalidCastException($"expected {expected}, but the value is {Type} {value}, which does not fit");
        return value;
    }

    private bool TryGetInteger(out Int128 value)
    {
        switch (Value)
        {
            case byte v: value = v; return true;
            case sbyte v: value = v; return true;
            case ushort v: value = v; return true;
            case short v: value = v; return true;
            case uint v: value = v; return true;
            case int v: value = v; return true;
            case ulong v: value = v; return true;
            case long v: value = v; return true;
            default: value = 0; return false;
        }
    }

    // Switch on the element type, not on the array's runtime type: the CLR lets an int[] pass as a
    // uint[] (and sbyte[] as byte[]), so "Value is uint[]" cannot tell them apart.
    private Int128[] IntegerArray(string expected) => (ElementType, Value) switch
    {
        (GgufValueType.UInt8, byte[] a) => Array.ConvertAll(a, x => (Int128)x),
        (GgufValueType.Int8, sbyte[] a) => Array.ConvertAll(a, x => (Int128)x),
        (GgufValueType.UInt16, ushort[] a) => Array.ConvertAll(a, x => (Int128)x),
        (GgufValueType.Int16, short[] a) => Array.ConvertAll(a, x => (Int128)x),
        (GgufValueType.UInt32, uint[] a) => Array.ConvertAll(a, x => (Int128)x),
        (GgufValueType.Int32, int[] a) => Array.ConvertAll(a, x => (Int128)x),
        (GgufValueType.UInt64, ulong[] a) => Array.ConvertAll(a, x => (Int128)x),
        (GgufValueType.Int64, long[] a) => Array.ConvertAll(a, x => (Int128)x),
        _ => throw Mismatch(expected),
    };
}
