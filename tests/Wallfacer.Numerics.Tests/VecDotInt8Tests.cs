using System.Runtime.Intrinsics;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Tests;

/// <summary>The int8 building block: every path gives exact per-half sums (the portable one is otherwise unused on x64).</summary>
public sealed class VecDotInt8Tests
{
    [Fact]
    public void Signed_unsigned_and_portable_sums_are_exact_per_half()
    {
        var rng = new Random(8);
        var x = new sbyte[32];
        var y = new sbyte[32];
        for (int trial = 0; trial < 2000; trial++)
        {
            for (int i = 0; i < 32; i++)
            {
                x[i] = (sbyte)rng.Next(-128, 128);
                y[i] = (sbyte)rng.Next(-127, 128);
            }
            if (trial == 0) Array.Fill(x, (sbyte)-128); // extreme: no int16 saturation allowed
            (int lo, int hi) = (0, 0);
            for (int i = 0; i < 16; i++) { lo += x[i] * y[i]; hi += x[i + 16] * y[i + 16]; }
            Vector256<sbyte> vx = Vector256.Create(x), vy = Vector256.Create(y);
            AssertHalves(lo, hi, VecDotInt8.DotSigned(default, vx, vy));
            AssertHalves(lo, hi, VecDotInt8.Portable(vx, vy));
            Vector256<byte> ux = Vector256.Abs(vx).AsByte() & Vector256.Create((byte)0x7F); // unsigned 0..127
            (int ulo, int uhi) = (0, 0);
            for (int i = 0; i < 16; i++) { ulo += ux[i] * y[i]; uhi += ux[i + 16] * y[i + 16]; }
            AssertHalves(ulo, uhi, VecDotInt8.DotUnsigned(default, ux, vy));
        }
    }

    private static void AssertHalves(int lo, int hi, Vector256<int> sums)
    {
        Assert.Equal(lo, Vector128.Sum(sums.GetLower()));
        Assert.Equal(hi, Vector128.Sum(sums.GetUpper()));
    }
}
