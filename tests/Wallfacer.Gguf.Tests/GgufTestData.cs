using System.Text;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Gguf.Tests;

/// <summary>Synthetic GGUF files for tests, built with the writer or byte by byte.</summary>
internal static class GgufTestData
{
    /// <summary>One metadata value of every type, including arrays of every element type and nested arrays.</summary>
    public static IEnumerable<(string Key, GgufValue Value)> EveryValueType()
    {
        yield return ("test.u8", GgufValue.FromUInt8(250));
        yield return ("test.i8", GgufValue.FromInt8(-120));
        yield return ("test.u16", GgufValue.FromUInt16(65000));
        yield return ("test.i16", GgufValue.FromInt16(-32000));
        yield return ("test.u32", GgufValue.FromUInt32(4_000_000_000));
        yield return ("test.i32", GgufValue.FromInt32(-2_000_000_000));
        yield return ("test.f32", GgufValue.FromSingle(1e-5f));
        yield return ("test.f32.nan", GgufValue.FromSingle(BitConverter.UInt32BitsToSingle(0x7FC0_1234)));
        yield return ("test.bool.true", GgufValue.FromBool(true));
        yield return ("test.bool.false", GgufValue.FromBool(false));
        yield return ("test.string", GgufValue.FromString("héllo, 世界 🦙\n\0tail"));
        yield return ("test.string.empty", GgufValue.FromString(""));
        yield return ("test.u64", GgufValue.FromUInt64(ulong.MaxValue - 3));
        yield return ("test.i64", GgufValue.FromInt64(long.MinValue + 5));
        yield return ("test.f64", GgufValue.FromDouble(Math.PI));
        yield return ("test.arr.u8", GgufValue.FromUInt8Array([0, 1, 255]));
        yield return ("test.arr.i8", GgufValue.FromInt8Array([-128, 0, 127]));
        yield return ("test.arr.u16", GgufValue.FromUInt16Array([0, 65535]));
        yield return ("test.arr.i16", GgufValue.FromInt16Array([-32768, 32767]));
        yield return ("test.arr.u32", GgufValue.FromUInt32Array([0, uint.MaxValue]));
        yield return ("test.arr.i32", GgufValue.FromInt32Array([int.MinValue, -1, 0, int.MaxValue]));
        yield return ("test.arr.f32", GgufValue.FromSingleArray([0f, -0f, float.Epsilon, float.MaxValue, float.NegativeInfinity]));
        yield return ("test.arr.bool", GgufValue.FromBoolArray([true, false, true]));
        yield return ("test.arr.string", GgufValue.FromStringArray(["a", "", "▁the", "<0x0A>", "é"]));
        yield return ("test.arr.u64", GgufValue.FromUInt64Array([0, ulong.MaxValue]));
        yield return ("test.arr.i64", GgufValue.FromInt64Array([long.MinValue, long.MaxValue]));
        yield return ("test.arr.f64", GgufValue.FromDoubleArray([double.MinValue, 0.1]));
        yield return ("test.arr.empty", GgufValue.FromInt32Array([]));
        yield return ("test.arr.nested", GgufValue.FromArray(GgufValueType.Array,
        [
            GgufValue.FromInt32Array([1, 2, 3]),
            GgufValue.FromStringArray(["x", "y"]),
            GgufValue.FromArray(GgufValueType.Array, [GgufValue.FromSingleArray([1.5f])]),
            GgufValue.FromArray(GgufValueType.Array, []),
        ]));
    }

    /// <summary>A writer holding every value type and a few tensors of different types, with seeded random data.</summary>
    public static GgufWriter SampleWriter(int seed = 1, uint alignment = 32, uint version = 3)
    {
        var writer = new GgufWriter(version);
        writer.Add(GgufKeys.GeneralArchitecture, "llama");
        writer.Add(GgufKeys.GeneralAlignment, alignment);
        foreach (var (key, value) in EveryValueType())
            writer.Add(key, value);
        var random = new Random(seed);
        foreach (var (name, type, dims) in SampleTensors())
        {
            string? problem = GgufTensorInfo.TryComputeSize(type, dims, out _, out long size);
            Assert.Null(problem);
            var data = new byte[size];
            random.NextBytes(data);
            writer.AddTensor(name, type, dims, data);
        }
        return writer;
    }

    public static (string Name, GgmlType Type, long[] Dims)[] SampleTensors() =>
    [
        ("token_embd.weight", GgmlType.F32, [8, 3]),
        ("blk.0.attn_q.weight", GgmlType.Q8_0, [64, 2]),
        ("blk.0.ffn_up.weight", GgmlType.Q4_K, [256, 1, 2]),
        ("output_norm.weight", GgmlType.F16, [7]),
        ("rope.scalar", GgmlType.I32, [1, 1, 1, 3]),
    ];

    public static byte[] ToBytes(this GgufWriter writer)
    {
        using var stream = new MemoryStream();
        writer.Write(stream);
        return stream.ToArray();
    }

    public static byte[] SampleBytes(int seed = 1) => SampleWriter(seed).ToBytes();
}

/// <summary>Builds GGUF bytes field by field, for files the writer refuses to make.</summary>
internal sealed class RawGguf
{
    private readonly MemoryStream _stream = new();
    private readonly BinaryWriter _writer;

    public RawGguf() => _writer = new BinaryWriter(_stream, Encoding.UTF8, leaveOpen: true);

    /// <summary>Starts a file with magic, version and the two counts.</summary>
    public static RawGguf Header(ulong tensorCount, ulong keyValueCount, uint version = 3) =>
        new RawGguf().U32(0x46554747).U32(version).U64(tensorCount).U64(keyValueCount);

    public long Length => _stream.Length;

    public RawGguf U8(byte v) { _writer.Write(v); return this; }
    public RawGguf U32(uint v) { _writer.Write(v); return this; }
    public RawGguf U64(ulong v) { _writer.Write(v); return this; }
    public RawGguf Bytes(params byte[] v) { _writer.Write(v); return this; }
    public RawGguf Str(string s) { var b = Encoding.UTF8.GetBytes(s); return U64((ulong)b.Length).Bytes(b); }

    /// <summary>A key/value whose value is a UInt32.</summary>
    public RawGguf KvU32(string key, uint value) => Str(key).U32((uint)GgufValueType.UInt32).U32(value);

    /// <summary>A tensor info: name, dims, type, offset.</summary>
    public RawGguf Tensor(string name, GgmlType type, ulong offset, params long[] dims)
    {
        Str(name).U32((uint)dims.Length);
        foreach (long d in dims)
            U64((ulong)d);
        return U32((uint)type).U64(offset);
    }

    /// <summary>Zero bytes up to the next multiple of <paramref name="alignment"/>.</summary>
    public RawGguf PadTo(int alignment)
    {
        while (_stream.Length % alignment != 0)
            _writer.Write((byte)0);
        return this;
    }

    public RawGguf Zeros(int count) => Bytes(new byte[count]);

    public byte[] ToArray()
    {
        _writer.Flush();
        return _stream.ToArray();
    }
}
