using Wallfacer.Numerics;

namespace Wallfacer.Conformance.Quants;

/// <summary>fp16/bf16 conversions against ggml's exported scalar converters, bit for bit.</summary>
public sealed unsafe class HalfConformanceTests
{
    [RequiresGgmlFact]
    public void Every_half_converts_to_the_same_float_as_ggml()
    {
        var native = QuantTestData.Native;
        for (int h = 0; h <= ushort.MaxValue; h++)
        {
            uint expected = BitConverter.SingleToUInt32Bits(native.Fp16ToFp32((ushort)h));
            uint actual = BitConverter.SingleToUInt32Bits(HalfConvert.HalfToSingle((ushort)h));
            if (expected != actual)
                Assert.Fail($"half 0x{h:X4}: ours 0x{actual:X8}, ggml 0x{expected:X8}");
        }
    }

    [RequiresGgmlFact]
    public void Floats_convert_to_the_same_half_and_bf16_as_ggml()
    {
        var native = QuantTestData.Native;
        foreach (uint bits in FloatPatterns())
        {
            float f = BitConverter.UInt32BitsToSingle(bits);
            ushort half = native.Fp32ToFp16(f);
            Assert.True(half == HalfConvert.SingleToHalf(f), $"fp16 of 0x{bits:X8}: ours 0x{HalfConvert.SingleToHalf(f):X4}, ggml 0x{half:X4}");
            ushort bf = native.Fp32ToBf16(f);
            Assert.True(bf == HalfConvert.SingleToBFloat16(f), $"bf16 of 0x{bits:X8}: ours 0x{HalfConvert.SingleToBFloat16(f):X4}, ggml 0x{bf:X4}");
        }
    }

    /// <summary>Every half's float and its neighbours (ties and near-ties), plus random bit patterns.</summary>
    private static IEnumerable<uint> FloatPatterns()
    {
        for (int h = 0; h <= ushort.MaxValue; h++)
        {
            uint exact = BitConverter.SingleToUInt32Bits(HalfConvert.HalfToSingle((ushort)h));
            foreach (uint delta in new uint[] { 0, 1, 0x1000, 0x0FFF, 0x1001, 0x2000 })
            {
                yield return exact + delta;
                yield return exact - delta;
            }
        }
        var rng = new Random(5);
        for (int i = 0; i < 200_000; i++)
            yield return (uint)rng.NextInt64(0, 1L << 32);
    }
}
