namespace Wallfacer.Gguf;

public sealed partial class GgufValue
{
    public static GgufValue FromString(string value) => new(GgufValueType.String, null, value ?? throw new ArgumentNullException(nameof(value)));
    public static GgufValue FromBool(bool value) => new(GgufValueType.Bool, null, value);
    public static GgufValue FromUInt8(byte value) => new(GgufValueType.UInt8, null, value);
    public static GgufValue FromInt8(sbyte value) => new(GgufValueType.Int8, null, value);
    public static GgufValue FromUInt16(ushort value) => new(GgufValueType.UInt16, null, value);
    public static GgufValue FromInt16(short value) => new(GgufValueType.Int16, null, value);
    public static GgufValue FromUInt32(uint value) => new(GgufValueType.UInt32, null, value);
    public static GgufValue FromInt32(int value) => new(GgufValueType.Int32, null, value);
    public static GgufValue FromUInt64(ulong value) => new(GgufValueType.UInt64, null, value);
    public static GgufValue FromInt64(long value) => new(GgufValueType.Int64, null, value);
    public static GgufValue FromSingle(float value) => new(GgufValueType.Float32, null, value);
    public static GgufValue FromDouble(double value) => new(GgufValueType.Float64, null, value);

    /// <summary>An array of strings (the array is copied; no element may be null).</summary>
    public static GgufValue FromStringArray(string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (Array.IndexOf(values, null) is int i and >= 0)
            throw new ArgumentException($"Element {i} is null.", nameof(values));
        return new(GgufValueType.Array, GgufValueType.String, values.Clone());
    }

    public static GgufValue FromSingleArray(float[] values) => TypedArray(GgufValueType.Float32, values);
    public static GgufValue FromDoubleArray(double[] values) => TypedArray(GgufValueType.Float64, values);
    public static GgufValue FromInt32Array(int[] values) => TypedArray(GgufValueType.Int32, values);
    public static GgufValue FromUInt32Array(uint[] values) => TypedArray(GgufValueType.UInt32, values);
    public static GgufValue FromInt64Array(long[] values) => TypedArray(GgufValueType.Int64, values);
    public static GgufValue FromUInt64Array(ulong[] values) => TypedArray(GgufValueType.UInt64, values);
    public static GgufValue FromInt16Array(short[] values) => TypedArray(GgufValueType.Int16, values);
    public static GgufValue FromUInt16Array(ushort[] values) => TypedArray(GgufValueType.UInt16, values);
    public static GgufValue FromInt8Array(sbyte[] values) => TypedArray(GgufValueType.Int8, values);
    public static GgufValue FromUInt8Array(byte[] values) => TypedArray(GgufValueType.UInt8, values);
    public static GgufValue FromBoolArray(bool[] values) => TypedArray(GgufValueType.Bool, values);

    /// <summary>
    /// An array of <paramref name="elementType"/> built from values of that type. With
    /// <see cref="GgufValueType.Array"/> it makes an array of arrays (each item must be an array);
    /// otherwise the items are unpacked into one typed array.
    /// </summary>
    public static GgufValue FromArray(GgufValueType elementType, IReadOnlyList<GgufValue> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (!GgufValueTypes.IsDefined(elementType))
            throw new ArgumentOutOfRangeException(nameof(elementType), elementType, "Not a GGUF value type.");
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i] is null || items[i].Type != elementType)
                throw new ArgumentException($"Item {i} is {items[i]?.TypeName ?? "null"}, not {elementType}.", nameof(items));
        }
        if (elementType == GgufValueType.Array)
        {
            var nested = items.ToArray();
            if (NestingDepth(nested) > GgufLimits.MaxArrayNesting)
                throw new ArgumentException($"Arrays may nest at most {GgufLimits.MaxArrayNesting} levels deep.", nameof(items));
            return new(GgufValueType.Array, GgufValueType.Array, nested);
        }
        return new(GgufValueType.Array, elementType, PackScalars(elementType, items));
    }

    /// <summary>Wraps an array the caller gives up ownership of (the reader's arrays); no copy.</summary>
    internal static GgufValue WrapArray(GgufValueType elementType, Array values) => new(GgufValueType.Array, elementType, values);

    private static GgufValue TypedArray<T>(GgufValueType elementType, T[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new(GgufValueType.Array, elementType, values.Clone());
    }

    private static int NestingDepth(GgufValue[] items)
    {
        int deepest = 0;
        foreach (var item in items)
            deepest = Math.Max(deepest, item.Value is GgufValue[] inner ? NestingDepth(inner) : 1);
        return deepest + 1;
    }

    private static Array PackScalars(GgufValueType elementType, IReadOnlyList<GgufValue> items)
    {
        return elementType switch
        {
            GgufValueType.UInt8 => Pack<byte>(items),
            GgufValueType.Int8 => Pack<sbyte>(items),
            GgufValueType.UInt16 => Pack<ushort>(items),
            GgufValueType.Int16 => Pack<short>(items),
            GgufValueType.UInt32 => Pack<uint>(items),
            GgufValueType.Int32 => Pack<int>(items),
            GgufValueType.Float32 => Pack<float>(items),
            GgufValueType.Bool => Pack<bool>(items),
            GgufValueType.String => Pack<string>(items),
            GgufValueType.UInt64 => Pack<ulong>(items),
            GgufValueType.Int64 => Pack<long>(items),
            GgufValueType.Float64 => Pack<double>(items),
            _ => throw new ArgumentOutOfRangeException(nameof(elementType)),
        };
    }

    private static T[] Pack<T>(IReadOnlyList<GgufValue> items)
    {
        var result = new T[items.Count];
        for (int i = 0; i < result.Length; i++)
            result[i] = (T)items[i].Value;
        return result;
    }
}
