using System.Runtime.Intrinsics;
using Wallfacer.Numerics.Kernels;

namespace Wallfacer.Numerics.Tests;

/// <summary>The vector exponential and SwiGLU against their scalar forms, bit for bit.</summary>
public class SwiGluTests
{
    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    public void Vector_exp_equals_the_scalar_exp_in_every_lane(int width)
    {
        if (width == 512 ? !GgmlExp.VectorIsSupported : !GgmlExp.Vector256IsSupported)
            return; // not on this machine (the per-tier child runs cover the 256-bit form on AVX-512 machines)
        var random = new Random(31);
        float[] specials = [0f, -0f, 1f, -1f, 88.7f, 88.8f, -87.3f, -103.9f, -104f, -150f, -200f, 200f, 133.1f, -133.1f,
            float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, 1e-30f, -1e-30f, 192.5f * 0.6931f, -192.5f * 0.6931f];
        var lanes = new float[16];
        for (int round = 0; round < 100_000; round++)
        {
            for (int l = 0; l < 16; l++)
                lanes[l] = round < 2 ? specials[(round * 16 + l) % specials.Length] : (float)(random.NextDouble() * 400 - 200) * (l % 4 == 0 ? 0.01f : 1f);
            float[] got = new float[16], silu = new float[16];
            if (width == 512)
            {
                GgmlExp.Exp(Vector512.Create(lanes)).CopyTo(got);
                GgmlExp.Silu(Vector512.Create(lanes)).CopyTo(silu);
            }
            else
            {
                for (int half = 0; half < 2; half++)
                {
                    GgmlExp.Exp(Vector256.Create(lanes.AsSpan(8 * half, 8))).CopyTo(got, 8 * half);
                    GgmlExp.Silu(Vector256.Create(lanes.AsSpan(8 * half, 8))).CopyTo(silu, 8 * half);
                }
            }
            for (int l = 0; l < 16; l++)
            {
                Assert.Equal(GgmlExp.Exp(lanes[l]), got[l]);
                Assert.Equal(GgmlExp.Silu(lanes[l]), silu[l]);
            }
        }
    }

    [Fact]
    public void SwiGlu_equals_its_scalar_definition_at_every_length()
    {
        var random = new Random(32);
        for (int n = 0; n <= 100; n++)
        {
            float[] gate = Enumerable.Range(0, n).Select(i => (float)(random.NextDouble() * 40 - 20) * (i % 5 == 0 ? 8 : 1)).ToArray();
            float[] up = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
            float[] fast = (float[])gate.Clone(), slow = (float[])gate.Clone();
            SwiGlu.Apply(fast, up);
            SwiGlu.ApplyReference(slow, up);
            Assert.Equal(slow, fast);
        }
    }
}
