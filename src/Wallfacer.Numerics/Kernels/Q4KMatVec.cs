using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// Q4_K × Q8_K super-block for <see cref="MatVecKRows{TFormat}"/>: d·dy·Σ_g sc_g·Σ q·y − dmin·dy·Σ_g m_g·Σ y over the
/// eight 32-element groups, the Σ y from the Q8_K block's bsums. 64 elements per vector: the 32 packed bytes of
/// groups (2c, 2c + 1), placed in both 256-bit halves, give group 2c's low nibbles and group 2c + 1's high nibbles
/// with one GFNI affine transform (or a per-half shift), against 64 consecutive activations. The 6-bit scales and
/// mins are unpacked with 32-bit masks (as llama.cpp's x86 kernel does, ggml-cpu/arch/x86/quants.c
/// ggml_vec_dot_q4_K_q8_K).
/// Layout (<see cref="BlockQ4K"/>): d (fp16), dmin (fp16), scales[12] (packed 6-bit scales and mins), qs[128].
/// </summary>
internal readonly unsafe struct Q4KMatVec : IKMatVecFormat
{
    public static GgmlType Type => GgmlType.Q4_K;

    public static int BlockBytes => BlockQ4K.BlockBytes;

    public static uint ScaleWord(byte* w) => *(uint*)w; // d, then dmin

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> BlockScales(byte* w) => ScalesAndMins(w + BlockQ4K.ScalesOffset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void BlockScales4(byte* w, nint rowBytes,
        out Vector128<byte> s0, out Vector128<byte> s1, out Vector128<byte> s2, out Vector128<byte> s3)
    {
        // One row per 128-bit lane: the unpacking runs once for the four.
        byte* packed = w + BlockQ4K.ScalesOffset;
        Vector512<uint> u = Avx512F.InsertVector128(Avx512F.InsertVector128(Avx512F.InsertVector128(
            Vector128.Load((uint*)packed).ToVector256Unsafe().ToVector512Unsafe(),
            Vector128.Load((uint*)(packed + rowBytes)), 1), Vector128.Load((uint*)(packed + 2 * rowBytes)), 2),
            Vector128.Load((uint*)(packed + 3 * rowBytes)), 3);
        Vector512<byte> four = Unpack(u);
        s0 = four.GetLower().GetLower();
        s1 = Avx512F.ExtractVector128(four, 1);
        s2 = Avx512F.ExtractVector128(four, 2);
        s3 = Avx512F.ExtractVector128(four, 3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Accumulate(byte* w, byte* y, Vector512<float> acc, Vector128<byte> packed, Vector512<float> d, Vector512<float> dmin)
    {
        // packed: bytes 0–7 scales, 8–15 mins (BlockScales).
        Vector512<short> sc = Avx2.ConvertToVector256Int16(packed).ToVector512Unsafe();
        Vector512<int> isum = Chunk(w, y, 0, sc, default);
        isum = Chunk(w, y, 1, sc, isum);
        isum = Chunk(w, y, 2, sc, isum);
        isum = Chunk(w, y, 3, sc, isum);
        // Σ_g m_g·(bsum_2g + bsum_2g+1): each min repeated for its two 16-element group sums.
        Vector256<byte> repeat = Vector256.Create(
            (byte)8, 0x80, 8, 0x80, 9, 0x80, 9, 0x80, 10, 0x80, 10, 0x80, 11, 0x80, 11, 0x80,
            12, 0x80, 12, 0x80, 13, 0x80, 13, 0x80, 14, 0x80, 14, 0x80, 15, 0x80, 15, 0x80);
        Vector256<short> mins = Avx2.Shuffle(Avx2.Permute4x64(packed.ToVector256Unsafe().AsUInt64(), 0b01_00_01_00).AsByte(), repeat).AsInt16();
        Vector256<int> minSums = Avx2.MultiplyAddAdjacent(mins, Vector256.Load((short*)(y + BlockQ8K.BsumsOffset)));
        // The min term enters negated on the integer side (exact).
        acc = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(isum), d, acc);
        return Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle((Vector256<int>.Zero - minSums).ToVector512()), dmin, acc);
    }

    /// <summary>isum plus the scaled sums of groups 2c (low nibbles) and 2c + 1 (high nibbles).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Chunk(byte* w, byte* y, int c, Vector512<short> sc, Vector512<int> isum)
    {
        // Constants spelled out; the 32 packed bytes in both halves with one broadcast load, then low nibbles in the
        // low half and high nibbles in the high half.
        Vector512<byte> q = VecDotInt8.NibblesByQuadword(VecDotInt8.Twice(w + BlockQ4K.QsOffset + 32 * c),
            Vector512.Create(
                VecDotInt8.LowNibbleMatrix, VecDotInt8.LowNibbleMatrix, VecDotInt8.LowNibbleMatrix, VecDotInt8.LowNibbleMatrix,
                VecDotInt8.HighNibbleMatrix, VecDotInt8.HighNibbleMatrix, VecDotInt8.HighNibbleMatrix, VecDotInt8.HighNibbleMatrix).AsByte(),
            Vector512.Create((ushort)0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4),
            Vector512.Create((byte)0x0F));
        Vector512<sbyte> qy = Vector512.Load((sbyte*)(y + BlockQ8K.QsOffset + 64 * c));
        Vector512<short> scales = Avx512BW.PermuteVar32x16(sc, GroupScales(2 * c));
        return isum + Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(q, qy), scales);
    }

    /// <summary>Word indices putting the scale of group <paramref name="first"/> in the low 256 bits, the next in the high.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> GroupScales(int first) =>
        Vector512.Create(
            (short)first, (short)first, (short)first, (short)first, (short)first, (short)first, (short)first, (short)first,
            (short)first, (short)first, (short)first, (short)first, (short)first, (short)first, (short)first, (short)first,
            (short)(first + 1), (short)(first + 1), (short)(first + 1), (short)(first + 1), (short)(first + 1), (short)(first + 1), (short)(first + 1), (short)(first + 1),
            (short)(first + 1), (short)(first + 1), (short)(first + 1), (short)(first + 1), (short)(first + 1), (short)(first + 1), (short)(first + 1), (short)(first + 1));

    /// <summary>The 12 packed bytes as 8 scales then 8 mins (6-bit each, one per byte).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<byte> ScalesAndMins(byte* packed) =>
        Unpack(Vector128.Load((uint*)packed).ToVector256Unsafe().ToVector512Unsafe()).GetLower().GetLower();

    /// <summary>
    /// <see cref="ScalesAndMins"/> for each 128-bit lane of <paramref name="u"/> (the 16 bytes from a block's packed
    /// scales: the 12 packed bytes and 4 quant bytes, inside the block). Vector form of llama.cpp's 32-bit mask steps
    /// (utmp[0..3]): dwords 0 and 2 are u0 &amp; 0x3f…, u1 &amp; 0x3f…; dwords 1 and 3 take the low (scales) or high
    /// (mins) nibbles of u2 and the top two bits of u0 or u1. Every step stays inside its 128-bit lane.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Unpack(Vector512<uint> u)
    {
        Vector512<uint> a = Avx512F.Shuffle(u, 0b10_01_10_00);   // u0, u2, u1, u2
        Vector512<uint> b = Avx512F.Shuffle(u, 0b01_01_00_00);   // u0, u0, u1, u1
        Vector512<uint> low6 = a & Vector512.Create(0x3f3f3f3fu);
        Vector512<uint> nibbles = Avx512F.ShiftRightLogicalVariable(a,
            Vector512.Create(0u, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 4)) & Vector512.Create(0x0f0f0f0fu);
        Vector512<uint> high2 = Vector512.ShiftLeft(Vector512.ShiftRightLogical(b, 6) & Vector512.Create(0x03030303u), 4);
        return Vector512.ConditionalSelect(Vector512.Create(0u, ~0u, 0u, ~0u, 0u, ~0u, 0u, ~0u, 0u, ~0u, 0u, ~0u, 0u, ~0u, 0u, ~0u),
            nibbles | high2, low6).AsByte();
    }
}
