using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

    internal static float Dot256(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        ref byte px = ref MemoryMarshal.GetReference(x);
        ref byte py = ref MemoryMarshal.GetReference(y);
        Vector256<float> acc = default;
        float minTerms = 0;
        for (int ib = 0; ib < n / 256; ib++)
        {
            nuint ox = (nuint)(ib * XBytes), oy = (nuint)(ib * YBytes);
            ReadOnlySpan<byte> packed = x.Slice(ib * XBytes + BlockQ4K.ScalesOffset, 12);
            Vector256<int> isum = default;
            for (int c = 0; c < 4; c++)
            {
                Vector256<byte> q = Vector256.LoadUnsafe(ref px, ox + BlockQ4K.QsOffset + (nuint)(32 * c));
                Vector256<sbyte> y0 = Vector256.LoadUnsafe(ref py, oy + BlockQ8K.QsOffset + (nuint)(64 * c)).AsSByte();
                Vector256<sbyte> y1 = Vector256.LoadUnsafe(ref py, oy + BlockQ8K.QsOffset + (nuint)(64 * c + 32)).AsSByte();
                QuantMath.GetScaleMinK4(2 * c, packed, out int sc0, out _);
                QuantMath.GetScaleMinK4(2 * c + 1, packed, out int sc1, out _);
                isum += VecDotInt8.DotUnsigned(default, q & Vector256.Create((byte)0x0F), y0) * sc0;
                isum += VecDotInt8.DotUnsigned(default, Vector256.ShiftRightLogical(q, 4), y1) * sc1;
            }
            float dy = BinaryPrimitives.ReadSingleLittleEndian(y.Slice(ib * YBytes));
            acc = VecDotInt8.Accumulate(acc, isum, VecDotInt8.LoadHalf(ref px, ox) * dy);
            minTerms += VecDotInt8.LoadHalf(ref px, ox + 2) * dy * MinSum(packed, y.Slice(ib * YBytes + BlockQ8K.BsumsOffset, 32));
        }
        return Vector256.Sum(acc) - minTerms;
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
