using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Wallfacer.Numerics.Kernels;

namespace Wallfacer.Numerics.Quants;

/// <summary>Q6_K · Q8_K (ggml-cpu/quants.c ggml_vec_dot_q6_K_q8_K_generic): dx·dy·Σ_g sc_g·Σ (q − 32)·qy.</summary>
internal static partial class VecDotQ6K
{
    private const int XBytes = BlockQ6K.BlockBytes;
    private const int YBytes = BlockQ8K.BlockBytes;

    internal static float Reference(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        float sum = 0;
        for (int ib = 0; ib < n / 256; ib++)
        {
            ReadOnlySpan<byte> bx = x.Slice(ib * XBytes, XBytes), by = y.Slice(ib * YBytes, YBytes);
            int isum = 0;
            for (int g = 0; g < 16; g++)
            {
                int dot = 0;
                for (int l = 0; l < 16; l++)
                {
                    int e = 16 * g + l;
                    dot += (BlockQ6K.Level(bx, e) - 32) * (sbyte)by[BlockQ8K.QsOffset + e];
                }
                isum += (sbyte)bx[BlockQ6K.ScalesOffset + g] * dot;
            }
            sum += QuantMath.ReadHalf(bx, BlockQ6K.DOffset) * BinaryPrimitives.ReadSingleLittleEndian(by) * isum;
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
    /// The AVX-512 path: the one-row case of <see cref="Wallfacer.Numerics.Kernels.MatVecKRows{TFormat}"/>, so the
    /// one-token mat-vec is bit-identical to this dot product.
    /// </summary>
    internal static unsafe float Dot512(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        fixed (byte* px = x)
        fixed (byte* py = y)
            return Wallfacer.Numerics.Kernels.MatVecKRows<Wallfacer.Numerics.Kernels.Q6KMatVec>.Row(px, n / 256, py);
    }

    /// <summary>
    /// The AVX2 path: the one-row case of <see cref="MatVecKRows256{TFormat}"/>, so the
    /// one-token mat-vec on machines without AVX-512 is bit-identical to this dot product.
    /// </summary>
    internal static unsafe float Dot256(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        if (!MatVecKRows256<Q6KRows256>.CanRun)
            return Dot128(x, y, n);
        fixed (byte* px = x)
        fixed (byte* py = y)
            return MatVecKRows256<Q6KRows256>.Row(px, n / 256, py);
    }
}
