using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// One activation row (generation) × 32-element-block weights with one fp16 scale (Q4_0, Q8_0), AVX-512. Decode
/// is bound by streaming the weights once, so the per-byte work has to be small: four rows go through each pair of
/// activation blocks together (the activation side is loaded and prepared once for the four); the weight scales
/// of sixteen blocks are picked out with byte permutes and widened in one vector, multiplied by the activation
/// scales (converted once per call by <see cref="MatMul"/>), and spread over the block lanes with one
/// <c>vpermps</c> per pair; rows two groups ahead are prefetched in software. Float accumulators, one horizontal
/// sum per row. The loop's loop-invariant vectors arrive in the format parameter (the JIT would reload visible
/// constants in every iteration), and loads may run into the rows after the group except at the matrix's end, so
/// no pair takes the narrow path and no partial chunk gathers its scales except in the matrix's last group.
/// Per (row, pair) it computes exactly what <see cref="VecDot.Dot"/> computes on its AVX-512 path — the same
/// integer partial sums in the same lanes, the same scale products, the same fused multiply-add order and the same
/// final lane sum — so results are bit-identical to it (MatMulTests relies on that).
/// </summary>
internal static unsafe class MatVecQ8Rows<TFormat, TActivation>
    where TFormat : struct, IMatVecFormat<TFormat, TActivation>
    where TActivation : struct
{
    private const int Chunk = 16; // blocks whose scales share one vector

    private static int BlockBytes => TFormat.BlockBytes;

    /// <summary>True when this kernel can run (it reproduces the AVX-512 dot product; Q4_0 needs <c>vpermb</c>).</summary>
    public static bool IsSupported => VecDotInt8.Use512 && Avx512Vbmi.IsSupported && Avx2.IsSupported;

    /// <summary>
    /// y[r] = dot(W[r], x) for rows [start, end) of a matrix of <paramref name="rows"/> rows. <paramref name="dx"/>
    /// holds the activation block scales as floats, followed by zeros up to a multiple of 16 blocks.
    /// </summary>
    public static void Run(byte* w, int rowBytes, int start, int end, int rows, int blocks, byte* act, float* dx, float* y)
    {
        int groupsEnd = start + (end - start) / 4 * 4;
        if (groupsEnd > start)
            Groups(TFormat.Create(), w, rowBytes, start, groupsEnd, rows, blocks, act, dx, y);
        for (int r = groupsEnd; r < end; r++)
        {
            // A remainder row costs one general dot product; the bit-identical result makes the two interchangeable.
            y[r] = VecDot.Dot(TFormat.Type,
                new ReadOnlySpan<byte>(w + (long)r * rowBytes, rowBytes), new ReadOnlySpan<byte>(act, blocks * 34), blocks * 32);
        }
    }

    /// <summary>
    /// Rows [start, end) (a multiple of 4) in groups of four. The loop over groups lives in this one call, not in
    /// <see cref="Run"/>: a call per group copied the format (320 bytes, <c>rep movsb</c>) and saved and restored
    /// registers each time — perf put ~3% of one-thread generation time (Qwen2.5-0.5B Q4_0, 896-column rows of 14
    /// block pairs) at the return from those calls. The format comes in as a parameter so that its vectors stay in
    /// registers (see <see cref="IMatVecFormat{TSelf, TActivation}.Create"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Groups(TFormat format, byte* w, int rowBytes, int start, int end, int rows, int blocks, byte* act, float* dx, float* y)
    {
        for (int r = start; r < end; r += 4)
        {
            // Wide loads (a pair's 64 bytes, a chunk's 16 scales) may run into the rows after the group, but not past
            // the matrix: the last groups keep them inside the row.
            bool roomAfter = (long)(rows - r - 4) * rowBytes >= Chunk * BlockBytes;
            Rows4(format, w + (long)r * rowBytes, rowBytes, blocks, roomAfter, act, dx, y + r);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Rows4(in TFormat format, byte* r0, int rowBytes, int blocks, bool roomAfter, byte* act, float* dx, float* y)
    {
        nint row1 = rowBytes, row2 = 2 * row1, row3 = 3 * row1;
        // Pairs starting before this block take the wide load; without room after the group, only those inside the row.
        int wideBlocks = roomAfter ? blocks : (rowBytes - TFormat.Overread) / BlockBytes - 1;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        // The band of rows two groups ahead, prefetched as this group advances: each pair step consumes
        // 2 blocks of 4 rows here and touches as many bytes there, so the stream is requested ~2 groups early
        // (the hardware prefetchers lose the 4 interleaved row streams at every 4 KiB page).
        byte* ahead = r0 + 8L * rowBytes;
        // Lanes 0–7 take the scale of block k, lanes 8–15 that of block k + 1.
        Vector512<int> pickFirst = Vector512.Create(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
        for (int c = 0; c < blocks; c += Chunk)
        {
            int count = Math.Min(Chunk, blocks - c);
            Vector512<float> sx = Vector512.Load(dx + c);
            // Pointers that advance by one block pair per step: no index arithmetic in the loop.
            byte* p = r0 + (long)c * BlockBytes;
            Vector512<float> s0 = Scales(p, count, roomAfter) * sx;
            Vector512<float> s1 = Scales(p + row1, count, roomAfter) * sx;
            Vector512<float> s2 = Scales(p + row2, count, roomAfter) * sx;
            Vector512<float> s3 = Scales(p + row3, count, roomAfter) * sx;
            Vector512<int> pick = pickFirst;
            byte* x = act + (long)c * 34;
            byte* next = ahead + 4L * c * BlockBytes;
            int pairEnd = c + (count & ~1);
            int wideEnd = Math.Min(pairEnd, Math.Max(c, wideBlocks));
            int b = c;
            for (; b < wideEnd; b += 2, p += 2 * BlockBytes, x += 68, next += 8 * BlockBytes, pick += Vector512.Create(2))
            {
                TActivation xa = format.Pair(x);
                Q8RowHelpers.PrefetchGroupPair(next, BlockBytes);
                a0 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(format.PairSums(p, xa)), Avx512F.PermuteVar16x32(s0, pick), a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(format.PairSums(p + row1, xa)), Avx512F.PermuteVar16x32(s1, pick), a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(format.PairSums(p + row2, xa)), Avx512F.PermuteVar16x32(s2, pick), a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(format.PairSums(p + row3, xa)), Avx512F.PermuteVar16x32(s3, pick), a3);
            }
            for (; b < pairEnd; b += 2, p += 2 * BlockBytes, x += 68, pick += Vector512.Create(2))
            {
                // The matrix's last pairs: loads that stay inside the row.
                TActivation xa = format.Pair(x);
                a0 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(format.PairSumsNearEnd(p, xa)), Avx512F.PermuteVar16x32(s0, pick), a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(format.PairSumsNearEnd(p + row1, xa)), Avx512F.PermuteVar16x32(s1, pick), a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(format.PairSumsNearEnd(p + row2, xa)), Avx512F.PermuteVar16x32(s2, pick), a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(format.PairSumsNearEnd(p + row3, xa)), Avx512F.PermuteVar16x32(s3, pick), a3);
            }
            if (b < c + count)
            {
                // An odd last block fills the low half; the high half's sums are zero and its scale lane is 0.
                TActivation xa = format.Last(x);
                a0 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(format.LastSums(p, xa)), Avx512F.PermuteVar16x32(s0, pick), a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(format.LastSums(p + row1, xa)), Avx512F.PermuteVar16x32(s1, pick), a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(format.LastSums(p + row2, xa)), Avx512F.PermuteVar16x32(s2, pick), a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(format.LastSums(p + row3, xa)), Avx512F.PermuteVar16x32(s3, pick), a3);
            }
        }
        y[0] = Q8RowHelpers.Sum(a0);
        y[1] = Q8RowHelpers.Sum(a1);
        y[2] = Q8RowHelpers.Sum(a2);
        y[3] = Q8RowHelpers.Sum(a3);
    }

    /// <summary>
    /// The fp16 scales of <paramref name="count"/> (≤ 16) consecutive blocks as floats; lanes past
    /// <paramref name="count"/> are 0 (an odd last block's empty high half must get scale 0, as in VecDot). A partial
    /// chunk reads all 16 blocks' worth when <paramref name="roomAfter"/> (the lanes past the row are masked off) and
    /// gathers otherwise: a gather costs more than the dot products of the blocks it serves.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Scales(byte* first, int count, bool roomAfter)
    {
        // No call here: a call in this loop makes the JIT keep the accumulators on the stack.
        Vector512<uint> halves;
        if (count == Chunk)
            halves = TFormat.ScaleHalves(first);
        else if (roomAfter)
            halves = TFormat.ScaleHalves(first) & Vector512.LessThan(Vector512<uint>.Indices, Vector512.Create((uint)count));
        else
            halves = Q8RowHelpers.GatherScaleHalves(first, count, BlockBytes);
        return HalfConvert.HalfToSingle(halves);
    }
}

/// <summary>Pieces shared by the AVX-512 row kernels (<see cref="MatVecQ8Rows{TFormat, TActivation}"/>, <see cref="MatMulFewTokens{TFormat, TWeights}"/>).</summary>
internal static class Q8RowHelpers
{
    /// <summary>
    /// Prefetches one block pair of four consecutive rows (4 × 2 blocks: 144 bytes for Q4_0, 176 for Q5_0, 272 for
    /// Q8_0), one request per cache line; the row kernels aim it two groups of rows ahead.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void PrefetchGroupPair(byte* next, int blockBytes)
    {
        Sse.Prefetch0(next);
        Sse.Prefetch0(next + 64);
        Sse.Prefetch0(next + 128);
        if (blockBytes > 32)
        {
            Sse.Prefetch0(next + 192);
            Sse.Prefetch0(next + 256);
        }
    }

    /// <summary>
    /// <see cref="Vector512.Sum{T}"/>'s value with full-width shuffles: .NET 10 sums each 128-bit quarter as
    /// (l0 + l1) + (l2 + l3), then (q0 + q1) + (q2 + q3), one quarter at a time (about 25 instructions); the same
    /// additions in the same association (float addition is commutative, so operand order is free) take 8.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector512<float> v)
    {
        v += Avx512F.Permute4x32(v, 0b10_11_00_01);       // l0 + l1, l2 + l3 within each quarter
        v += Avx512F.Permute4x32(v, 0b01_00_11_10);       // quarter sums
        v += Avx512F.Shuffle4x128(v, v, 0b10_11_00_01);   // q0 + q1, q2 + q3
        v += Avx512F.Shuffle4x128(v, v, 0b01_00_11_10);   // (q0 + q1) + (q2 + q3)
        return v.ToScalar();
    }

    /// <summary>
    /// The fp16 scales of <paramref name="count"/> (&lt; 16) consecutive blocks <paramref name="blockBytes"/> apart, one
    /// per 32-bit lane in the low 16 bits; lanes past <paramref name="count"/> are 0. A partial chunk (a row's last,
    /// when its block count is not a multiple of 16) gathers: each dword holds a scale in its low 16 bits (the high
    /// bits are quants, ignored by the conversion) and is read at a block start, so inside the row; masked-off lanes
    /// (blocks past the row's end) are not read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector512<uint> GatherScaleHalves(byte* first, int count, int blockBytes)
    {
        Vector256<int> lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        Vector256<int> offsets = lane * blockBytes;
        Vector256<uint> low = Avx2.GatherMaskVector256(Vector256<uint>.Zero, (uint*)first, offsets,
            Vector256.LessThan(lane, Vector256.Create(count)).AsUInt32(), 1);
        Vector256<uint> high = Avx2.GatherMaskVector256(Vector256<uint>.Zero, (uint*)(first + 8 * blockBytes), offsets,
            Vector256.LessThan(lane, Vector256.Create(count - 8)).AsUInt32(), 1);
        return Avx512F.InsertVector256(low.ToVector512Unsafe(), high, 1);
    }
}
