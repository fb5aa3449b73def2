namespace Wallfacer.Gguf;

/// <summary>Reads metadata values (scalars, strings, arrays, arrays of arrays) with bounded counts and nesting.</summary>
internal static class GgufValueReader
{
    /// <summary>Reads one value of <paramref name="type"/> (the type tag has already been read).</summary>
    public static GgufValue Read(ref GgufSpanReader reader, GgufValueType type, string key, int depth)
    {
        long start = reader.Position;
        return type switch
        {
            GgufValueType.UInt8 => GgufValue.FromUInt8(reader.ReadBytes(1, Describe(key))[0]),
            GgufValueType.Int8 => GgufValue.FromInt8((sbyte)reader.ReadBytes(1, Describe(key))[0]),
            GgufValueType.UInt16 => GgufValue.FromUInt16(reader.ReadArray<ushort>(1, Describe(key))[0]),
            GgufValueType.Int16 => GgufValue.FromInt16(reader.ReadArray<short>(1, Describe(key))[0]),
            GgufValueType.UInt32 => GgufValue.FromUInt32(reader.ReadUInt32(Describe(key))),
            GgufValueType.Int32 => GgufValue.FromInt32((int)reader.ReadUInt32(Describe(key))),
            GgufValueType.Float32 => GgufValue.FromSingle(BitConverter.UInt32BitsToSingle(reader.ReadUInt32(Describe(key)))),
            GgufValueType.Bool => GgufValue.FromBool(ReadBool(ref reader, key)),
            GgufValueType.String => GgufValue.FromString(reader.ReadString(Describe(key))),
            GgufValueType.UInt64 => GgufValue.FromUInt64(reader.ReadUInt64(Describe(key))),
            GgufValueType.Int64 => GgufValue.FromInt64((long)reader.ReadUInt64(Describe(key))),
            GgufValueType.Float64 => GgufValue.FromDouble(BitConverter.UInt64BitsToDouble(reader.ReadUInt64(Describe(key)))),
            GgufValueType.Array => ReadArray(ref reader, key, depth + 1),
            _ => throw reader.Error($"key '{key}' has unknown value type {(uint)type}", start - 4),
        };
    }

    /// <summary>Reads a value type tag and rejects numbers the format does not define.</summary>
    public static GgufValueType ReadType(ref GgufSpanReader reader, string what)
    {
        long start = reader.Position;
        uint raw = reader.ReadUInt32(what);
        if (!GgufValueTypes.IsDefined((GgufValueType)raw))
            throw reader.Error($"{what} is {raw}, which is not a GGUF value type (0..12)", start);
        return (GgufValueType)raw;
    }

    /// <summary>Reads an array body: element type, uint64 count, elements.</summary>
    private static GgufValue ReadArray(ref GgufSpanReader reader, string key, int depth)
    {
        if (depth > GgufLimits.MaxArrayNesting)
            throw reader.Error($"key '{key}' nests arrays more than {GgufLimits.MaxArrayNesting} levels deep");
        var elementType = ReadType(ref reader, $"the element type of array '{key}'");
        long countOffset = reader.Position;
        ulong count = reader.ReadUInt64($"the length of array '{key}'");
        // Bound the claimed count by what the remaining bytes could possibly hold, before allocating.
        ulong minimumSize = (ulong)GgufValueTypes.MinimumEncodedSize(elementType);
        if (count > (ulong)reader.Remaining / minimumSize || count > (ulong)Array.MaxLength)
        {
            throw reader.Error(
                $"array '{key}' claims {count} {elementType} elements (at least {minimumSize} bytes each) but only {reader.Remaining} bytes remain",
                countOffset);
        }
        string what = Describe(key);
        Array values = elementType switch
        {
            GgufValueType.UInt8 => reader.ReadArray<byte>(count, what),
            GgufValueType.Int8 => reader.ReadArray<sbyte>(count, what),
            GgufValueType.UInt16 => reader.ReadArray<ushort>(count, what),
            GgufValueType.Int16 => reader.ReadArray<short>(count, what),
            GgufValueType.UInt32 => reader.ReadArray<uint>(count, what),
            GgufValueType.Int32 => reader.ReadArray<int>(count, what),
            GgufValueType.Float32 => reader.ReadArray<float>(count, what),
            GgufValueType.Bool => ReadBoolArray(ref reader, key, (int)count),
            GgufValueType.String => ReadStringArray(ref reader, key, (int)count),
            GgufValueType.UInt64 => reader.ReadArray<ulong>(count, what),
            GgufValueType.Int64 => reader.ReadArray<long>(count, what),
            GgufValueType.Float64 => reader.ReadArray<double>(count, what),
            _ => ReadNestedArrays(ref reader, key, (int)count, depth),
        };
        return GgufValue.WrapArray(elementType, values);
    }

    private static string[] ReadStringArray(ref GgufSpanReader reader, string key, int count)
    {
        var strings = new string[count];
        for (int i = 0; i < strings.Length; i++)
            strings[i] = reader.ReadArrayString(key, i);
        return strings;
    }

    private static GgufValue[] ReadNestedArrays(ref GgufSpanReader reader, string key, int count, int depth)
    {
        var items = new GgufValue[count];
        for (int i = 0; i < items.Length; i++)
            items[i] = ReadArray(ref reader, $"{key}[{i}]", depth + 1);
        return items;
    }

    private static bool[] ReadBoolArray(ref GgufSpanReader reader, string key, int count)
    {
        long start = reader.Position;
        var bytes = reader.ReadBytes((ulong)count, Describe(key));
        var values = new bool[count];
        for (int i = 0; i < values.Length; i++)
        {
            if (bytes[i] > 1)
                throw reader.Error($"element {i} of bool array '{key}' is {bytes[i]}; it must be 0 or 1", start + i);
            values[i] = bytes[i] == 1;
        }
        return values;
    }

    /// <summary>A bool is one byte, 0 or 1; other bytes are rejected so that a round trip is exact.</summary>
    private static bool ReadBool(ref GgufSpanReader reader, string key)
    {
        long start = reader.Position;
        byte raw = reader.ReadBytes(1, Describe(key))[0];
        return raw switch
        {
            0 => false,
            1 => true,
            _ => throw reader.Error($"the bool value of '{key}' is {raw}; it must be 0 or 1", start),
        };
    }

    private static string Describe(string key) => $"the value of '{key}'";
}
