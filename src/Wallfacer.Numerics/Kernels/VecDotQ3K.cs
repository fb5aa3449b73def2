using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Wallfacer.Numerics.Quants;

/// <summary>Q3_K · Q8_K (ggml-cpu/quants.c ggml_vec_dot_q3_K_q8_K_generic): dx·dy·Σ_g (sc_g − 32)·Σ q·qy, q in −4..3.</summary>
internal static partial class VecDotQ3K
{
    private const int XBytes = BlockQ3K.BlockBytes;
    private const int YBytes = BlockQ8K.BlockBytes;

    /// <summary>The signed level (−4..3) of element <paramref name="e"/>.</summary>
    private static int Level(ReadOnlySpan<byte> block, int e)
    {
        int half = e / 128, run = e / 32, l = e % 32;
        int low = (block[BlockQ3K.QsOffset + 32 * half + l] >> (2 * (run % 4))) & 3;
        bool high = (block[l] >> run & 1) != 0;
        return low - (high ? 0 : 4);
    }

    internal static float Reference(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        Span<sbyte> scales = stackalloc sbyte[16];
        float sum = 0;
        for (int ib = 0; ib < n / 256; ib++)
        {
            ReadOnlySpan<byte> bx = x.Slice(ib * XBytes, XBytes), by = y.Slice(ib * YBytes, YBytes);
            QuantMath.UnpackQ3KScales(bx.Slice(BlockQ3K.ScalesOffset, 12), scales);
            int isum = 0;
            for (int g = 0; g < 16; g++)
            {
                int dot = 0;
                for (int l = 0; l < 16; l++)
                    dot += Level(bx, 16 * g + l) * (sbyte)by[BlockQ8K.QsOffset + 16 * g + l];
                isum += (scales[g] - 32) * dot;
            }
            sum += QuantMath.ReadHalf(bx, BlockQ3K.DOffset) * BinaryPrimitives.ReadSingleLittleEndian(by) * isum;
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
        Span<sbyte> scales = stackalloc sbyte[16];
        Vector256<float> acc = default;
        for (int ib = 0; ib < n / 256; ib++)
        {
            nuint ox = (nuint)(ib * XBytes), oy = (nuint)(ib * YBytes);
            QuantMath.UnpackQ3KScales(x.Slice(ib * XBytes + BlockQ3K.ScalesOffset, 12), scales);
            Vector256<byte> hmask = Vector256.LoadUnsafe(ref px, ox);
            Vector256<int> isum = default;
            for (int h = 0; h < 2; h++)
            {
                Vector256<byte> qs = Vector256.LoadUnsafe(ref px, ox + BlockQ3K.QsOffset + (nuint)(32 * h));
                for (int j = 0; j < 4; j++)
                {
                    int run = 4 * h + j;
                    Vector256<byte> bit = Vector256.Create((byte)(1 << run));
                    Vector256<byte> high = Vector256.Equals(hmask & bit, bit) & Vector256.Create((byte)4);
                    Vector256<byte> low = Vector256.ShiftRightLogical(qs, 2 * j) & Vector256.Create((byte)3);
                    Vector256<sbyte> q = ((low | high) - Vector256.Create((byte)4)).AsSByte();
                    Vector256<sbyte> qy = Vector256.LoadUnsafe(ref py, oy + BlockQ8K.QsOffset + (nuint)(32 * run)).AsSByte();
                    isum += VecDotInt8.DotSigned(default, q, qy) * VecDotInt8.HalfScales(scales[2 * run] - 32, scales[2 * run + 1] - 32);
                }
            }
            float dy = BinaryPrimitives.ReadSingleLittleEndian(y.Slice(ib * YBytes));
            acc = VecDotInt8.Accumulate(acc, isum, VecDotInt8.LoadHalf(ref px, ox + BlockQ3K.DOffset) * dy);
        }
        return Vector256.Sum(acc);
    }
}
