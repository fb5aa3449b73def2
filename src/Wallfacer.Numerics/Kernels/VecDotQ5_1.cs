using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Wallfacer.Numerics.Quants;

/// <summary>Q5_1 · Q8_1 (ggml-cpu/quants.c ggml_vec_dot_q5_1_q8_1_generic); min term as in Q4_1.</summary>
internal static partial class VecDotQ5_1
{
    private const int XBytes = BlockQ5_1.BlockBytes;
    private const int YBytes = BlockQ8_1.BlockBytes;

    internal static float Reference(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        float sum = 0;
        for (int ib = 0; ib < n / 32; ib++)
        {
            ReadOnlySpan<byte> bx = x.Slice(ib * XBytes, XBytes), by = y.Slice(ib * YBytes, YBytes);
            uint qh = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bx[4..]);
            int isum = 0;
            for (int j = 0; j < 16; j++)
            {
                int q0 = (bx[8 + j] & 0x0F) | (int)((qh >> j) & 1) << 4;
                int q1 = (bx[8 + j] >> 4) | (int)((qh >> (j + 16)) & 1) << 4;
                isum += q0 * (sbyte)by[4 + j] + q1 * (sbyte)by[4 + j + 16];
            }
            sum += QuantMath.ReadHalf(bx, 0) * QuantMath.ReadHalf(by, 0) * isum + QuantMath.ReadHalf(bx, 2) * QuantMath.ReadHalf(by, 2);
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
        nuint ox = 0, oy = 0;
        for (int ib = 0; ib < n / 32; ib++, ox += XBytes, oy += YBytes)
        {
            Vector256<byte> high = VecDotInt8.ExpandBits(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref px, ox + 4)));
            Vector256<byte> q = VecDotInt8.SplitNibbles(Vector128.LoadUnsafe(ref px, ox + 8)) | (high & Vector256.Create((byte)0x10));
            Vector256<sbyte> qy = Vector256.LoadUnsafe(ref py, oy + 4).AsSByte();
            Vector256<int> sums = VecDotInt8.DotUnsigned(default, q, qy);
            acc = VecDotInt8.Accumulate(acc, sums, VecDotInt8.LoadHalf(ref px, ox) * VecDotInt8.LoadHalf(ref py, oy));
            minTerms += VecDotInt8.LoadHalf(ref px, ox + 2) * VecDotInt8.LoadHalf(ref py, oy + 2);
        }
        return Vector256.Sum(acc) + minTerms;
    }
}
