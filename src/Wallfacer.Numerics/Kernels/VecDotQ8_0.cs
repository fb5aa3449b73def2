using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Wallfacer.Numerics.Quants;

/// <summary>Q8_0 · Q8_0 (ggml-cpu/quants.c ggml_vec_dot_q8_0_q8_0_generic; x86 variant in arch/x86/quants.c).</summary>
internal static partial class VecDotQ8_0
{
    private const int Bytes = BlockQ8_0.BlockBytes;

    internal static float Reference(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        float sum = 0;
        for (int ib = 0; ib < n / 32; ib++)
        {
            ReadOnlySpan<byte> bx = x.Slice(ib * Bytes, Bytes), by = y.Slice(ib * Bytes, Bytes);
            int isum = 0;
            for (int j = 0; j < 32; j++)
                isum += (sbyte)bx[2 + j] * (sbyte)by[2 + j];
            sum += isum * (QuantMath.ReadHalf(bx, 0) * QuantMath.ReadHalf(by, 0));
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
        for (nuint o = 0, end = (nuint)(n / 32 * Bytes); o < end; o += Bytes)
        {
            Vector256<sbyte> qx = Vector256.LoadUnsafe(ref px, o + 2).AsSByte();
            Vector256<sbyte> qy = Vector256.LoadUnsafe(ref py, o + 2).AsSByte();
            Vector256<int> sums = VecDotInt8.DotSigned(default, qx, qy);
            acc = VecDotInt8.Accumulate(acc, sums, VecDotInt8.LoadHalf(ref px, o) * VecDotInt8.LoadHalf(ref py, o));
        }
        return Vector256.Sum(acc);
    }
}
