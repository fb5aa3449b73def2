using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Wallfacer.Numerics.Kernels;

namespace Wallfacer.Numerics.Quants;

/// <summary>
/// Q4_K · Q8_K (ggml-cpu/quants.c ggml_vec_dot_q4_K_q8_K_generic): per super-block
/// dx·dy·Σ_g sc_g·Σ q·qy − dminx·dy·Σ_g m_g·Σ qy; the fast path takes Σ qy from the activations' bsums.
/// </summary>
internal static partial class VecDotQ4K
{
    private const int XBytes = BlockQ4K.BlockBytes;
    private const int YBytes = BlockQ8K.BlockBytes;

    internal static float Reference(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        float sum = 0;
        for (int ib = 0; ib < n / 256; ib++)
        {
            ReadOnlySpan<byte> bx = x.Slice(ib * XBytes, XBytes), by = y.Slice(ib * YBytes, YBytes);
            int isum = 0, minSum = 0;
            for (int g = 0; g < 8; g++)
            {
                QuantMath.GetScaleMinK4(g, bx.Slice(BlockQ4K.ScalesOffset, 12), out int sc, out int m);
                int dot = 0, ySum = 0;
                for (int l = 0; l < 32; l++)
                {
                    int q = (bx[BlockQ4K.QsOffset + 32 * (g / 2) + l] >> (4 * (g % 2))) & 0xF;
                    int qy = (sbyte)by[BlockQ8K.QsOffset + 32 * g + l];
                    dot += q * qy;
                    ySum += qy;
                }
                isum += sc * dot;
                minSum += m * ySum;
            }
            float dy = BinaryPrimitives.ReadSingleLittleEndian(by);
            sum += QuantMath.ReadHalf(bx, 0) * dy * isum - QuantMath.ReadHalf(bx, 2) * dy * minSum;
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
            return Wallfacer.Numerics.Kernels.MatVecKRows<Wallfacer.Numerics.Kernels.Q4KMatVec>.Row(px, n / 256, py);
    }

    /// <summary>
    /// The AVX2 path: the one-row case of <see cref="MatVecKRows256{TFormat}"/>, so the
    /// one-token mat-vec on machines without AVX-512 is bit-identical to this dot product.
    /// </summary>
    internal static unsafe float Dot256(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        if (!MatVecKRows256<Q4KRows256>.CanRun)
            return Dot128(x, y, n);
        fixed (byte* px = x)
        fixed (byte* py = y)
            return MatVecKRows256<Q4KRows256>.Row(px, n / 256, py);
    }

    /// <summary>Σ_g m_g·(Σ qy over group g), from the 16 bsums (two per 32-element group).</summary>
    internal static int MinSum(ReadOnlySpan<byte> packedScales, ReadOnlySpan<byte> bsums)
    {
        int total = 0;
        for (int g = 0; g < 8; g++)
        {
            QuantMath.GetScaleMinK4(g, packedScales, out _, out int m);
            int ySum = BinaryPrimitives.ReadInt16LittleEndian(bsums[(4 * g)..]) + BinaryPrimitives.ReadInt16LittleEndian(bsums[(4 * g + 2)..]);
            total += m * ySum;
        }
        return total;
    }
}
