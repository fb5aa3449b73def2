using System.Runtime.Intrinsics;
using Wallfacer.Numerics.Kernels;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// The vectorised pieces of a prompt's matrix product against their scalar references, bit for bit: the Q8_0 activation
/// quantizer (including zero, tie, tiny, huge and NaN blocks) and the prompt tiles' four-way horizontal sum.
/// </summary>
public sealed class PromptPreparationTests
{
    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    public void Vector_activation_quantizer_equals_the_scalar_one(int width)
    {
        if (width == 512 ? !BlockQ8_0.UseActivation512 : !BlockQ8_0.UseActivation256)
            return; // not on this machine (the per-tier child runs cover the AVX2 quantizer on AVX-512 machines)
        var rng = new Random(11);
        const int blocks = 40;
        var x = new float[blocks * 32];
        var expected = new byte[blocks * 34];
        var actual = new byte[blocks * 34];
        for (int trial = 0; trial < 200; trial++)
        {
            for (int i = 0; i < x.Length; i++)
            {
                int block = i / 32;
                x[i] = (block % 8) switch
                {
                    0 => 0f,                                                      // an all-zero block: scale 0
                    1 => (rng.Next(-254, 255) / 2f) * (rng.Next(2) == 0 ? 1 : -1), // halves: ties to even
                    2 => (float)(rng.NextDouble() - 0.5) * 1e-40f,                 // subnormals
                    3 => (float)(rng.NextDouble() - 0.5) * 3e38f,                  // near the top of the range
                    4 => i % 32 == 5 && trial % 2 == 0 ? float.NaN : (float)rng.NextDouble(),
                    5 => i % 32 == 0 ? -0f : (float)(rng.NextDouble() * 2 - 1),
                    _ => (float)(rng.NextDouble() * 8 - 4),
                };
            }
            BlockQ8_0.QuantizeActivationReference(x, expected);
            if (width == 512)
                BlockQ8_0.QuantizeActivation512(x, actual);
            else
                BlockQ8_0.QuantizeActivation256(x, actual);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Four_way_sum_equals_four_single_sums()
    {
        if (!Vector512.IsHardwareAccelerated)
            return;
        var rng = new Random(12);
        var lanes = new float[64];
        for (int trial = 0; trial < 5000; trial++)
        {
            for (int i = 0; i < lanes.Length; i++) // mixed magnitudes, so the association decides the rounding
                lanes[i] = (float)((rng.NextDouble() - 0.5) * Math.Pow(2, rng.Next(-20, 21)));
            var a = new Vector512<float>[4];
            for (int v = 0; v < 4; v++)
                a[v] = Vector512.Create(lanes.AsSpan(16 * v, 16));
            Vector128<float> sums = MatMulQ8Tiles<Q4_0Tiles, Vector512<byte>>.Sum4(a[0], a[1], a[2], a[3]);
            for (int v = 0; v < 4; v++)
                Assert.Equal(Vector512.Sum(a[v]), sums.GetElement(v));
        }
    }
}
