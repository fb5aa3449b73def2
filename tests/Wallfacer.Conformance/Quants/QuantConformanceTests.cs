using Wallfacer.Numerics.Quants;

namespace Wallfacer.Conformance.Quants;

/// <summary>Our block codecs against ggml's own (to_float, from_float_ref, ggml_quantize_chunk), to the bit.</summary>
public sealed unsafe class QuantConformanceTests
{
    private const int Elements = 4096; // 16 K-quant super-blocks, 128 legacy blocks

    [RequiresGgmlTheory]
    [MemberData(nameof(QuantTestData.AllTypes), MemberType = typeof(QuantTestData))]
    public void Dequantize_random_blocks_is_bit_identical_with_ggml(GgmlType type)
    {
        GgmlNative.TypeTraits* traits = QuantTestData.Native.Traits((int)type);
        if (traits->ToFloat == null)
        {
            Assert.True(type is GgmlType.Q8_1 or GgmlType.Q8_K, $"ggml has no to_float for {type}");
            return; // ggml itself never dequantizes these activation-only types
        }
        for (int seed = 1; seed <= 3; seed++)
        {
            byte[] blocks = QuantTestData.RandomBlocks(type, Elements, seed * 100 + (int)type);
            var ours = new float[Elements];
            var theirs = new float[Elements];
            Dequantizer.DequantizeRow(type, blocks, ours);
            fixed (byte* src = blocks)
            fixed (float* dst = theirs)
                traits->ToFloat(src, dst, Elements);
            AssertBitsEqual(theirs, ours, type);
        }
    }

    [RequiresGgmlTheory]
    [MemberData(nameof(QuantTestData.AllTypes), MemberType = typeof(QuantTestData))]
    public void Quantize_is_byte_identical_with_ggml_reference(GgmlType type)
    {
        GgmlNative.TypeTraits* traits = QuantTestData.Native.Traits((int)type);
        var fromFloat = traits->FromFloatRef;
        if (fromFloat == null)
        {
            Assert.Equal(GgmlType.Q8_K, type); // Q8_K's quantizer lives in the CPU backend (tested below)
            return;
        }
        foreach (float[] x in Inputs())
        {
            byte[] ours = new byte[GgmlTypeInfo.RowBytes(type, x.Length)];
            byte[] theirs = new byte[ours.Length];
            Quantizer.QuantizeRow(type, x, ours);
            fixed (float* src = x)
            fixed (byte* dst = theirs)
                fromFloat(src, dst, x.Length);
            AssertBytesEqual(theirs, ours, type);
        }
    }

    [RequiresGgmlTheory]
    [InlineData(GgmlType.Q4_0)]
    [InlineData(GgmlType.Q5_1)]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q2_K)]
    [InlineData(GgmlType.Q3_K)]
    [InlineData(GgmlType.Q4_K)]
    [InlineData(GgmlType.Q5_K)]
    [InlineData(GgmlType.Q6_K)]
    public void Quantize_matches_ggml_quantize_chunk_without_imatrix(GgmlType type)
    {
        const int rows = 4, perRow = 1024;
        float[] x = QuantTestData.RandomFloats(rows * perRow, 77);
        long rowBytes = GgmlTypeInfo.RowBytes(type, perRow);
        byte[] ours = new byte[rows * rowBytes];
        byte[] theirs = new byte[ours.Length];
        for (int r = 0; r < rows; r++)
            Quantizer.QuantizeRow(type, x.AsSpan(r * perRow, perRow), ours.AsSpan((int)(r * rowBytes), (int)rowBytes));
        nuint written;
        fixed (float* src = x)
        fixed (byte* dst = theirs)
            written = QuantTestData.Native.QuantizeChunk((int)type, src, dst, 0, rows, perRow, null);
        Assert.Equal((nuint)ours.Length, written);
        AssertBytesEqual(theirs, ours, type);
    }

    /// <summary>Random rows plus the awkward ones: all zero, constant, one spike, tiny values.</summary>
    private static IEnumerable<float[]> Inputs()
    {
        yield return QuantTestData.RandomFloats(Elements, 11);
        yield return QuantTestData.RandomFloats(Elements, 12);
        yield return new float[512];
        yield return Enumerable.Repeat(0.75f, 512).ToArray();
        float[] spike = new float[512];
        spike[300] = -3.5f;
        spike[17] = 1e-3f;
        yield return spike;
        yield return QuantTestData.RandomFloats(512, 13).Select(v => v * 1e-6f).ToArray();
    }

    internal static void AssertBitsEqual(float[] expected, float[] actual, GgmlType type)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToUInt32Bits(expected[i]) != BitConverter.SingleToUInt32Bits(actual[i]))
                Assert.Fail($"{type}: element {i} is {actual[i]:R} but ggml gives {expected[i]:R}");
        }
    }

    internal static void AssertBytesEqual(byte[] expected, byte[] actual, GgmlType type)
    {
        int blockBytes = GgmlTypeInfo.TypeSize(type);
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
                Assert.Fail($"{type}: byte {i} (block {i / blockBytes}, offset {i % blockBytes}) is {actual[i]} but ggml writes {expected[i]}");
        }
    }
}
