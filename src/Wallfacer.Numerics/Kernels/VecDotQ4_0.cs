using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

    internal static float Dot256(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        ref byte px = ref MemoryMarshal.GetReference(x);
        ref byte py = ref MemoryMarshal.GetReference(y);
        Vector256<float> acc = default;
        nuint ox = 0, oy = 0;
        for (int ib = 0; ib < n / 32; ib++, ox += XBytes, oy += YBytes)
        {
            Vector256<sbyte> qx = (VecDotInt8.SplitNibbles(Vector128.LoadUnsafe(ref px, ox + 2)) - Vector256.Create((byte)8)).AsSByte();
            Vector256<sbyte> qy = Vector256.LoadUnsafe(ref py, oy + 2).AsSByte();
            Vector256<int> sums = VecDotInt8.DotSigned(default, qx, qy);
            acc = VecDotInt8.Accumulate(acc, sums, VecDotInt8.LoadHalf(ref px, ox) * VecDotInt8.LoadHalf(ref py, oy));
        }
        return Vector256.Sum(acc);
    }
}
