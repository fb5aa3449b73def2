namespace Wallfacer.Gguf;

/// <summary>Encodes metadata values exactly as <see cref="GgufValueReader"/> decodes them.</summary>
internal static class GgufValueWriter
{
    /// <summary>Writes the type tag and the value.</summary>
    public static void Write(GgufStreamWriter writer, GgufValue value)
    {
        writer.WriteUInt32((uint)value.Type);
        WriteBody(writer, value);
    }

    private static void WriteBody(GgufStreamWriter writer, GgufValue value)
    {
        switch (value.Value)
        {
            case byte v: writer.WriteByte(v); break;
            case sbyte v: writer.WriteByte((byte)v); break;
            case ushort v: writer.WriteArray([v]); break;
            case short v: writer.WriteArray([v]); break;
            case uint v: writer.WriteUInt32(v); break;
            case int v: writer.WriteUInt32((uint)v); break;
            case float v: writer.WriteUInt32(BitConverter.SingleToUInt32Bits(v)); break;
            case bool v: writer.WriteByte(v ? (byte)1 : (byte)0); break;
            case string v: writer.WriteString(v); break;
            case ulong v: writer.WriteUInt64(v); break;
            case long v: writer.WriteUInt64((ulong)v); break;
            case double v: writer.WriteUInt64(BitConverter.DoubleToUInt64Bits(v)); break;
            case Array: WriteArrayBody(writer, value); break;
            default: throw new InvalidOperationException($"Cannot encode a {value.Value.GetType()}.");
        }
    }

    /// <summary>An array body: element type, uint64 count, elements (nested arrays repeat this form).</summary>
    private static void WriteArrayBody(GgufStreamWriter writer, GgufValue value)
    {
        writer.WriteUInt32((uint)value.ElementType!.Value);
        writer.WriteUInt64((ulong)value.ArrayLength);
        switch (value.Value)
        {
            case string[] strings:
                foreach (var s in strings)
                    writer.WriteString(s);
                break;
            case GgufValue[] nested:
                foreach (var item in nested)
                    WriteArrayBody(writer, item);
                break;
            case bool[] a: writer.WriteArray(a); break; // .NET bools are one byte, 0 or 1
            case byte[] a: writer.WriteArray(a); break;
            case sbyte[] a: writer.WriteArray(a); break;
            case ushort[] a: writer.WriteArray(a); break;
            case short[] a: writer.WriteArray(a); break;
            case uint[] a: writer.WriteArray(a); break;
            case int[] a: writer.WriteArray(a); break;
            case float[] a: writer.WriteArray(a); break;
            case ulong[] a: writer.WriteArray(a); break;
            case long[] a: writer.WriteArray(a); break;
            case double[] a: writer.WriteArray(a); break;
            default: throw new InvalidOperationException($"Cannot encode a {value.Value.GetType()}.");
        }
    }
}
