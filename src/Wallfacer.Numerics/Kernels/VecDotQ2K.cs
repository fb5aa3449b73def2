using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Wallfacer.Numerics.Quants;

/// <summary>
/// Q2_K · Q8_K (ggml-cpu/quants.c ggml_vec_dot_q2_K_q8_K_generic):
/// dx·dy·Σ_g sc_g·Σ q·qy − dminx·dy·Σ_g m_g·Σ qy, with 4-bit sc (low nibble) and m (high nibble).
/// </summary>
internal static partial class VecDotQ2K
{
    private const int XBytes = BlockQ2K.BlockBytes;
    private const int YBytes = BlockQ8K.BlockBytes;

    internal static float Reference(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        float sum = 0;
        for (int ib = 0; ib < n / 256; ib++)
        {
            ReadOnlySpan<byte> bx = x.Slice(ib * XBytes, XBytes), by = y.Slice(ib * YBytes, YBytes);
            int isum = 0, minSum = 0;
            for (int g = 0; g < 16; g++)
            {
                int qBase = BlockQ2K.QsOffset + 32 * (g / 8) + 16 * (g % 2), shift = 2 * (g / 2 % 4);
                int dot = 0, ySum = 0;
                for (int l = 0; l < 16; l++)
                {
                    int qy = (sbyte)by[BlockQ8K.QsOffset + 16 * g + l];
                    dot += ((bx[qBase + l] >> shift) & 3) * qy;
                    ySum += qy;
                }
                isum += (bx[g] & 0xF) * dot;
                minSum += (bx[g] >> 4) * ySum;
            }
            float dy = BinaryPrimitives.ReadSingleLittleEndian(by);
            sum += dy * QuantMath.ReadHalf(bx, BlockQ2K.DOffset) * isum - dy * QuantMath.ReadHalf(bx, BlockQ2K.DminOffset) * minSum;
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

    internal static float Dot256(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        ref byte px = ref MemoryMarshal.GetReference(x);
        ref byte py = ref MemoryMarshal.GetReference(y);
        Vector256<float> acc = default;
        float minTerms = 0;
        for (int ib = 0; ib < n / 256; ib++)
        {
            nuint ox = (nuint)(ib * XBytes), oy = (nuint)(ib * YBytes);
            ReadOnlySpan<byte> scales = x.Slice(ib * XBytes, 16);
            Vector256<int> isum = default;
            for (int h = 0; h < 2; h++)
            {
                Vector256<byte> qs = Vector256.LoadUnsafe(ref px, ox + BlockQ2K.QsOffset + (nuint)(32 * h));
                for (int j = 0; j < 4; j++)
                {
                    int g = 8 * h + 2 * j;
                    Vector256<byte> q = Vector256.ShiftRightLogical(qs, 2 * j) & Vector256.Create((byte)3);
                    Vector256<sbyte> qy = Vector256.LoadUnsafe(ref py, oy + BlockQ8K.QsOffset + (nuint)(16 * g)).AsSByte();
                    isum += VecDotInt8.DotUnsigned(default, q, qy) * VecDotInt8.HalfScales(scales[g] & 0xF, scales[g + 1] & 0xF);
                }
            }
            ReadOnlySpan<byte> bsums = y.Slice(ib * YBytes + BlockQ8K.BsumsOffset, 32);
            int minSum = 0;
            for (int g = 0; g < 16; g++)
                minSum += (scales[g] >> 4) * BinaryPrimitives.ReadInt16LittleEndian(bsums[(2 * g)..]);
            float dy = BinaryPrimitives.ReadSingleLittleEndian(y.Slice(ib * YBytes));
            acc = VecDotInt8.Accumulate(acc, isum, dy * VecDotInt8.LoadHalf(ref px, ox + BlockQ2K.DOffset));
            minTerms += dy * VecDotInt8.LoadHalf(ref px, ox + BlockQ2K.DminOffset) * minSum;
        }
        return Vector256.Sum(acc) - minTerms;
    }
}
