using System.Runtime.Intrinsics;
using Wallfacer.Numerics.Kernels;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// The AVX2 build's orders (<see cref="GgmlDot8"/>) and exponential, on any machine: the vector forms against their
/// lane-by-lane definitions at every length, and the two eight-lane reductions told apart. Agreement with llama.cpp's
/// AVX2 build itself is proven by the conformance tests on AVX2 processors.
/// </summary>
public class GgmlDot8Tests
{
    private static float[] Values(Random random, int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();

    [Fact]
    public void VecDotF16_equals_its_lane_by_lane_definition_at_every_length()
    {
        var random = new Random(31);
        for (int n = 0; n <= 300; n++)
        {
            float[] x = Values(random, n), y = Values(random, n);
            float expected = GgmlDot8.VecDotF16Reference(x, y);
            Assert.Equal(expected, GgmlDot8.VecDotF16(x, y));
            ushort[] halves = x.Select(HalfConvert.SingleToHalf).ToArray();
            Assert.Equal(GgmlDot8.VecDotF16Reference(halves.Select(HalfConvert.HalfToSingle).ToArray(), y), GgmlDot8.VecDotF16(halves, y));
        }
    }

    [Fact]
    public void VecDotF16_is_four_eight_lane_accumulators_then_the_reduce_macro_then_a_double_tail()
    {
        var random = new Random(32);
        foreach (int n in new[] { 32, 64, 70, 96 })
        {
            float[] x = Values(random, n), y = Values(random, n);
            int np = n & ~31;
            var acc = new float[32];
            for (int i = 0; i < np; i += 32)
                for (int k = 0; k < 32; k++)
                    acc[k] = MathF.FusedMultiplyAdd(x[i + k], y[i + k], acc[k]);
            var folded = Enumerable.Range(0, 8).Select(l => (acc[l] + acc[16 + l]) + (acc[8 + l] + acc[24 + l])).ToArray();
            double sum = GgmlDot8.ReduceMacro(folded);
            for (int i = np; i < n; i++)
                sum += (double)(x[i] * y[i]);
            Assert.Equal((float)sum, GgmlDot8.VecDotF16(x, y));
        }
    }

    [Fact]
    public void TinyBlas_is_one_fma_chain_per_lane_then_hsum()
    {
        var random = new Random(33);
        foreach (int n in new[] { 8, 16, 24, 64, 200, 896 })
        {
            float[] x = Values(random, n), y = Values(random, n);
            var lanes = new float[8];
            for (int i = 0; i < n; i += 8)
                for (int l = 0; l < 8; l++)
                    lanes[l] = MathF.FusedMultiplyAdd(x[i + l], y[i + l], lanes[l]);
            Assert.Equal(GgmlDot8.Hsum(lanes), GgmlDot8.TinyBlas(x, y));
        }
        Assert.Throws<ArgumentException>(() => GgmlDot8.TinyBlas(new float[12], new float[12]));
    }

    [Fact]
    public void The_two_eight_lane_reductions_pair_the_lanes_differently()
    {
        // Low half + high half gives t = (1e8, 1, −1e8, 1): hsum adds (t0+t2)+(t1+t3) = 2, the reduce macro (t0+t1)+(t2+t3),
        // where 1e8 + 1 rounds back to 1e8, = 0.
        float[] v = [1e8f, 1f, -1e8f, 1f, 0f, 0f, 0f, 0f];
        Assert.Equal(2f, GgmlDot8.Hsum(v));
        Assert.Equal(0f, GgmlDot8.ReduceMacro(v));
        Assert.Equal(GgmlDot8.Hsum(v), GgmlDot8.Hsum(Vector256.Create(v)));
        Assert.Equal(GgmlDot8.ReduceMacro(v), GgmlDot8.ReduceMacro(Vector256.Create(v)));
    }

    [Fact]
    public void VecDotBf16_and_VecDotF32_agree_with_a_double_reference()
    {
        var random = new Random(34);
        for (int n = 0; n <= 200; n += 7)
        {
            float[] x = Values(random, n), y = Values(random, n);
            double exact = 0, magnitude = 0;
            for (int i = 0; i < n; i++)
            {
                exact += (double)x[i] * y[i];
                magnitude += Math.Abs((double)x[i] * y[i]);
            }
            Assert.True(Math.Abs(GgmlDot8.VecDotF32(x, y) - exact) <= 1e-6 * magnitude + 1e-30, $"f32 n = {n}");
            Assert.True(Math.Abs(GgmlDot8.VecDotBf16(x, y) - exact) <= 1e-6 * magnitude + 1e-30, $"bf16 n = {n}");
        }
    }

    [Fact]
    public void Both_builds_exponentials_are_accurate_and_their_vector_forms_equal_the_scalar_ones()
    {
        var random = new Random(35);
        float[] edges = [0f, -0f, 1f, -1f, 80f, -80f, 87.5f, -87.5f, 88.7f, -103f, 126.5f * MathF.Log(2), -130f * MathF.Log(2),
            100f, -100f, 140f, -140f, 200f, -200f, float.PositiveInfinity, float.NegativeInfinity, float.NaN];
        var inputs = edges.Concat(Enumerable.Range(0, 20_000).Select(_ => (float)(random.NextDouble() * 240 - 120))).ToArray();
        foreach (float x in inputs)
        {
            foreach (float got in new[] { GgmlExp.ExpAvx2Build(x), GgmlExp.ExpAvx512Build(x) })
            {
                double exact = Math.Exp(x);
                if (float.IsNaN(x))
                    Assert.True(float.IsNaN(got));
                else if (exact > 1e-37 && exact < 3e38)
                    Assert.True(Math.Abs(got - exact) <= 3 * (MathF.BitIncrement((float)exact) - (float)exact), $"exp({x}) = {got}, expected {exact}");
                else if (exact >= 3.5e38)
                    Assert.Equal(float.PositiveInfinity, got);
                else if (exact <= 1e-37)
                    Assert.True(got is >= 0f and <= 2e-37f, $"exp({x}) = {got}, expected {exact} (at most subnormal)");
            }
        }
        if (!GgmlExp.Vector256IsSupported)
            return;
        var lanes = new float[8];
        for (int start = 0; start + 8 <= inputs.Length; start += 8)
        {
            GgmlExp.ExpAvx2Build(Vector256.Create(inputs.AsSpan(start, 8))).CopyTo(lanes);
            for (int l = 0; l < 8; l++)
                Assert.Equal(GgmlExp.ExpAvx2Build(inputs[start + l]), lanes[l]);
            GgmlExp.ExpAvx512Build(Vector256.Create(inputs.AsSpan(start, 8))).CopyTo(lanes);
            for (int l = 0; l < 8; l++)
                Assert.Equal(GgmlExp.ExpAvx512Build(inputs[start + l]), lanes[l]);
        }
    }
}
