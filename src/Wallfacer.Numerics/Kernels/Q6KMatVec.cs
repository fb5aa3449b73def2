using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// Q6_K × Q8_K super-block for <see cref="MatVecKRows{TFormat}"/>: d·dy·Σ_g sc_g·Σ (q − 32)·y, computed as
/// Σ_g sc_g·Σ q·y − 32·Σ_g sc_g·bsum_g with the unsigned 6-bit q on the left of <c>vpmaddubsw</c> (|q·y pair| ≤ 16002
/// fits in int16) and the Q8_K block's group sums (bsums) for the offset. 64 elements per vector: the 64 bytes of
/// ql for one 128-element half give elements 0–63 (low nibbles) and 64–127 (high nibbles) in order, and the 32 qh
/// bytes, placed in both 256-bit halves, give the two high bits of each (GFNI bit matrices, or a per-half shift).
/// Layout (<see cref="BlockQ6K"/>): ql[128], qh[64], scales[16] (int8), d (fp16).
/// </summary>
internal readonly unsafe struct Q6KMatVec : IKMatVecFormat
{
    public static GgmlType Type => GgmlType.Q6_K;

    public static int BlockBytes => BlockQ6K.BlockBytes;

    public static uint ScaleWord(byte* w) => *(ushort*)(w + BlockQ6K.BlockBytes - 2); // d (no dmin)

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> BlockScales(byte* w) => Vector128.Load(w + BlockQ6K.ScalesOffset);

    // The int8 scales are used as stored: one plain load per row, nothing to batch.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void BlockScales4(byte* w, nint rowBytes,
        out Vector128<byte> s0, out Vector128<byte> s1, out Vector128<byte> s2, out Vector128<byte> s3)
    {
        s0 = BlockScales(w);
        s1 = BlockScales(w + rowBytes);
        s2 = BlockScales(w + 2 * rowBytes);
        s3 = BlockScales(w + 3 * rowBytes);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Accumulate(byte* w, byte* y, Vector512<float> acc, Vector128<byte> packed, Vector512<float> d, Vector512<float> dmin)
    {
        Vector256<short> scales = Avx2.ConvertToVector256Int16(packed.AsSByte());
        // −32·Σ_g sc_g·bsum_g in the low eight lanes (pairs of groups).
        Vector256<int> offset = Avx2.MultiplyAddAdjacent(scales, Vector256.Load((short*)(y + BlockQ8K.BsumsOffset)));
        Vector512<int> isum = Vector256.ShiftLeft(Vector256<int>.Zero - offset, 5).ToVector512();
        Vector512<short> sc = scales.ToVector512Unsafe();
        // Two calls with constant halves rather than a loop: the JIT does not unroll, and the scale indices must be constants.
        isum = Half(w, y, 0, sc, isum);
        isum = Half(w, y, 1, sc, isum);
        return Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(isum), d, acc);
    }

    /// <summary>isum plus the scaled sums of the 128-element half <paramref name="h"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Half(byte* w, byte* y, int h, Vector512<short> sc, Vector512<int> isum)
    {
        Vector512<byte> ql = Vector512.Load(w + 64 * h);
        // The 32 qh bytes in both halves, one broadcast load.
        Vector512<byte> qh = VecDotInt8.Twice(w + BlockQ6K.QhOffset + 32 * h);
        (Vector512<byte> q0, Vector512<byte> q1) = Gfni.V512.IsSupported ? Levels(ql, qh) : LevelsByShifts(ql, qh.AsUInt16());
        Vector512<sbyte> y0 = Vector512.Load((sbyte*)(y + BlockQ8K.QsOffset + 128 * h));
        Vector512<sbyte> y1 = Vector512.Load((sbyte*)(y + BlockQ8K.QsOffset + 128 * h + 64));
        isum += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(q0, y0), Avx512BW.PermuteVar32x16(sc, GroupScales(8 * h)));
        return isum + Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(q1, y1), Avx512BW.PermuteVar32x16(sc, GroupScales(8 * h + 4)));
    }

    /// <summary>
    /// The half's 6-bit levels, elements 0–63 (<c>q0</c>) and 64–127 (<c>q1</c>), with GFNI: each affine transform
    /// moves a chosen pair of bits of every byte to bits 4–5 (or the high nibble down) and clears the rest, one
    /// instruction where a word shift and a mask took two. Elements 0–63 take qh bits 0–1 (low 256 bits) and 2–3
    /// (high); elements 64–127 take bits 4–5 and 6–7.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<byte> Q0, Vector512<byte> Q1) Levels(Vector512<byte> ql, Vector512<byte> qh)
    {
        Vector512<byte> hLow = Gfni.V512.GaloisFieldAffineTransform(qh, Vector512.Create(
            BitsTo45(0), BitsTo45(0), BitsTo45(0), BitsTo45(0), BitsTo45(2), BitsTo45(2), BitsTo45(2), BitsTo45(2)).AsByte(), 0);
        Vector512<byte> hHigh = Gfni.V512.GaloisFieldAffineTransform(qh, Vector512.Create(
            BitsTo45(4), BitsTo45(4), BitsTo45(4), BitsTo45(4), BitsTo45(6), BitsTo45(6), BitsTo45(6), BitsTo45(6)).AsByte(), 0);
        Vector512<byte> highNibbles = Gfni.V512.GaloisFieldAffineTransform(ql, Vector512.Create(VecDotInt8.HighNibbleMatrix).AsByte(), 0);
        return ((ql & Vector512.Create((byte)0x0F)) | hLow, highNibbles | hHigh);
    }

    /// <summary>
    /// The GFNI bit matrix (one quadword) that puts source bits <paramref name="first"/> and <paramref name="first"/> + 1
    /// at result bits 4 and 5 and clears the others (matrix byte 7 − k selects the source bits of result bit k).
    /// </summary>
    private static ulong BitsTo45(int first) => (1UL << first) << 24 | (1UL << (first + 1)) << 16;

    /// <summary><see cref="Levels"/> without GFNI: per-half word shifts and masks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<byte> Q0, Vector512<byte> Q1) LevelsByShifts(Vector512<byte> ql, Vector512<ushort> qh)
    {
        Vector512<byte> low4 = Vector512.Create((byte)0x0F), high2 = Vector512.Create((byte)0x30);
        // Elements 0–63 of the half: qh bits 0–1 (low 256 bits) and 2–3 (high) moved to bits 4–5.
        Vector512<byte> hLow = Avx512BW.ShiftLeftLogicalVariable(qh, Vector512.Create(
            (ushort)4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2)).AsByte();
        // Elements 64–127: bits 4–5 (in place) and 6–7.
        Vector512<byte> hHigh = Avx512BW.ShiftRightLogicalVariable(qh, Vector512.Create(
            (ushort)0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2)).AsByte();
        return ((ql & low4) | (hLow & high2), (Vector512.ShiftRightLogical(ql, 4) & low4) | (hHigh & high2));
    }

    /// <summary>Word indices putting the scale of group first + i in the i-th 128-bit lane (16 elements each).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> GroupScales(int first) =>
        Vector512.Create(
            (short)first, (short)first, (short)first, (short)first, (short)first, (short)first, (short)first, (short)first,
            (short)(first + 1), (short)(first + 1), (short)(first + 1), (short)(first + 1), (short)(first + 1), (short)(first + 1), (short)(first + 1), (short)(first + 1),
            (short)(first + 2), (short)(first + 2), (short)(first + 2), (short)(first + 2), (short)(first + 2), (short)(first + 2), (short)(first + 2), (short)(first + 2),
            (short)(first + 3), (short)(first + 3), (short)(first + 3), (short)(first + 3), (short)(first + 3), (short)(first + 3), (short)(first + 3), (short)(first + 3));
}
