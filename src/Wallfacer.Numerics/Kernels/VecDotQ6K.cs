using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

    internal static float Dot256(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        ref byte px = ref MemoryMarshal.GetReference(x);
        ref byte py = ref MemoryMarshal.GetReference(y);
        Vector256<float> acc = default;
        Vector256<byte> low4 = Vector256.Create((byte)0x0F), low2 = Vector256.Create((byte)0x03);
        for (int ib = 0; ib < n / 256; ib++)
        {
            nuint ox = (nuint)(ib * XBytes), oy = (nuint)(ib * YBytes);
            ReadOnlySpan<byte> scales = x.Slice(ib * XBytes + BlockQ6K.ScalesOffset, 16);
            Vector256<int> isum = default;
            for (int h = 0; h < 2; h++)
            {
                Vector256<byte> ql0 = Vector256.LoadUnsafe(ref px, ox + (nuint)(64 * h));
                Vector256<byte> ql1 = Vector256.LoadUnsafe(ref px, ox + (nuint)(64 * h + 32));
                Vector256<byte> qh = Vector256.LoadUnsafe(ref px, ox + BlockQ6K.QhOffset + (nuint)(32 * h));
                for (int k = 0; k < 4; k++)
                {
                    // Quarter k: low nibbles of ql0/ql1 for k = 0/1, high nibbles for k = 2/3; qh bits 2k, 2k+1.
                    Vector256<byte> ql = (k & 1) == 0 ? ql0 : ql1;
                    Vector256<byte> low = k < 2 ? ql & low4 : Vector256.ShiftRightLogical(ql, 4);
                    Vector256<byte> high = Vector256.ShiftLeft(Vector256.ShiftRightLogical(qh, 2 * k) & low2, 4);
                    Vector256<sbyte> q = ((low | high) - Vector256.Create((byte)32)).AsSByte();
                    Vector256<sbyte> qy = Vector256.LoadUnsafe(ref py, oy + BlockQ8K.QsOffset + (nuint)(128 * h + 32 * k)).AsSByte();
                    int g = 8 * h + 2 * k;
                    isum += VecDotInt8.DotSigned(default, q, qy) * VecDotInt8.HalfScales((sbyte)scales[g], (sbyte)scales[g + 1]);
                }
            }
            float dy = BinaryPrimitives.ReadSingleLittleEndian(y.Slice(ib * YBytes));
            acc = VecDotInt8.Accumulate(acc, isum, VecDotInt8.LoadHalf(ref px, ox + BlockQ6K.DOffset) * dy);
        }
        return Vector256.Sum(acc);
    }
}
