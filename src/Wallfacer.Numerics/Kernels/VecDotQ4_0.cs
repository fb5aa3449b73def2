using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Wallfacer.Numerics.Kernels;

namespace Wallfacer.Numerics.Quants;

/// <summary>Q4_0 · Q8_0 (ggml-cpu/quants.c ggml_vec_dot_q4_0_q8_0_generic).</summary>
internal static partial class VecDotQ4_0
{
    private const int XBytes = BlockQ4_0.BlockBytes;
    private const int YBytes = BlockQ8_0.BlockBytes;

    internal static float Reference(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        float sum = 0;
        for (int ib = 0; ib < n / 32; ib++)
        {
            ReadOnlySpan<byte> bx = x.Slice(ib * XBytes, XBytes), by = y.Slice(ib * YBytes, YBytes);
            int isum = 0;
            for (int j = 0; j < 16; j++)
            {
                isum += ((bx[2 + j] & 0x0F) - 8) * (sbyte)by[2 + j];
                isum += ((bx[2 + j] >> 4) - 8) * (sbyte)by[2 + j + 16];
            }
            sum += isum * QuantMath.ReadHalf(bx, 0) * QuantMath.ReadHalf(by, 0);
        }
        return sum;
    }

    /// <summary>The widest path this machine runs; <see cref="VecDot.DotOnPath"/> selects one for tests.</summary>
    internal static float Dot(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        if (VecDotInt8.Use512)
            return Dot512(x, y, n);
        if (Vector256.IsHardwareAccelerated)
            return Dot256(x, y, n);
        if (Vector128.IsHardwareAccelerated)
            return Dot128(x, y, n);
        return Reference(x, y, n);
    }

    /// <summary>
    /// The AVX2 path: the one-row case of <see cref="MatVecQ4_0Pairs256"/>, so the
    /// one-token mat-vec on machines without AVX-512 is bit-identical to this dot product.
    /// </summary>
    internal static unsafe float Dot256(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        if (!MatVecQ4_0Pairs256.CanRun)
            return Dot128(x, y, n);
        fixed (byte* px = x)
        fixed (byte* py = y)
            return MatVecQ4_0Pairs256.Row(px, n / 32, py, null);
    }
}
