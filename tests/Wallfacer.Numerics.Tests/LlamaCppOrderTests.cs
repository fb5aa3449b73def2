using System.Runtime.InteropServices;
using Wallfacer.Numerics;
using Wallfacer.Numerics.Kernels;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// The llama.cpp-order kernels (GgmlExp, GgmlDot, GgmlFloatDot) against plain double-precision references.
/// Their bit-level agreement with llama.cpp is proven by the conformance tests; these check they are right
/// as mathematics at every length, including tails, without the reference library.
/// </summary>
public class LlamaCppOrderTests
{
    [Fact]
    public void GgmlExp_is_within_a_few_ulps_of_exp_and_handles_the_edges() // ggml documents 1.45 + 0.5 ulp
    {
        var random = new Random(7);
        for (int i = 0; i < 200_000; i++)
        {
            float x = (float)(random.NextDouble() * 170 - 100);
            double exact = Math.Exp(x);
            float got = GgmlExp.Exp(x);
            double ulp = MathF.BitIncrement((float)exact) - (float)exact;
            if (exact > 1e-37)
                Assert.True(Math.Abs(got - exact) <= 3 * ulp + 1e-45, $"exp({x}) = {got}, expected {exact}");
        }
        Assert.Equal(1f, GgmlExp.Exp(0f));
        Assert.Equal(0f, GgmlExp.Exp(float.NegativeInfinity));
        Assert.Equal(float.PositiveInfinity, GgmlExp.Exp(200f));
        Assert.True(float.IsNaN(GgmlExp.Exp(float.NaN)));
        Assert.Equal(0f, GgmlExp.Silu(0f));
        Assert.Equal(3f / (1f + MathF.Exp(-3f)), GgmlExp.Silu(3f), 5);
    }

    [Fact]
    public void ReduceAdd16_adds_all_lanes()
    {
        float[] v = Enumerable.Range(1, 16).Select(i => (float)i).ToArray();
        Assert.Equal(136f, GgmlDot.ReduceAdd16(v));
    }

    public static TheoryData<int> Lengths => new() { 1, 2, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 256, 300 };

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Float_dots_in_llama_cpp_order_agree_with_a_double_reference(int n)
    {
        var random = new Random(n);
        float[] a = RandomRow(random, n), b = RandomRow(random, n);
        double exact = 0, magnitude = 0;
        for (int i = 0; i < n; i++)
        {
            exact += (double)a[i] * b[i];
            magnitude += Math.Abs((double)a[i] * b[i]);
        }
        double tolerance = 1e-6 * magnitude + 1e-30;
        Assert.InRange(GgmlDot.HalfOrder(a, b), exact - tolerance, exact + tolerance);
        Assert.InRange(GgmlDot.SequentialFma(a, b), exact - tolerance, exact + tolerance);
        foreach (bool batched in new[] { false, true })
        {
            float f32 = GgmlFloatDot.Dot(GgmlType.F32, Bytes(a), Bytes(b), n, batched);
            Assert.InRange(f32, exact - tolerance, exact + tolerance);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Half_and_bfloat16_dots_agree_with_a_double_reference_of_the_rounded_values(int n)
    {
        var random = new Random(1000 + n);
        float[] a = RandomRow(random, n), b = RandomRow(random, n);
        foreach (var type in new[] { GgmlType.F16, GgmlType.BF16 })
        {
            ushort[] ha = a.Select(v => type == GgmlType.F16 ? HalfConvert.SingleToHalf(v) : HalfConvert.SingleToBFloat16(v)).ToArray();
            ushort[] hb = b.Select(v => type == GgmlType.F16 ? HalfConvert.SingleToHalf(v) : HalfConvert.SingleToBFloat16(v)).ToArray();
            double exact = 0, magnitude = 0;
            for (int i = 0; i < n; i++)
            {
                double p = (double)Widen(type, ha[i]) * Widen(type, hb[i]);
                exact += p;
                magnitude += Math.Abs(p);
            }
            double tolerance = 1e-6 * magnitude + 1e-30;
            foreach (bool batched in new[] { false, true })
            {
                float got = GgmlFloatDot.Dot(type, MemoryMarshal.AsBytes(ha.AsSpan()), MemoryMarshal.AsBytes(hb.AsSpan()), n, batched);
                Assert.InRange(got, exact - tolerance, exact + tolerance);
            }
        }
    }

    private static float Widen(GgmlType type, ushort h) =>
        type == GgmlType.F16 ? HalfConvert.HalfToSingle(h) : HalfConvert.BFloat16ToSingle(h);

    private static float[] RandomRow(Random random, int n) =>
        Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

    private static ReadOnlySpan<byte> Bytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan());
}
