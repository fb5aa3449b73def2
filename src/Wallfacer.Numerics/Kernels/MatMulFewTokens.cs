using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// A few activation rows (2–8 tokens: the decode step of a continuous batch) × 32-element-block weights with one
/// fp16 scale (Q4_0, Q8_0), AVX-512. Decode streams the weights from memory, so each weight block pair is loaded and
/// unpacked once per pass and applied to up to four tokens (four rows × four tokens per pass; more tokens take
/// another pass over the same four rows, which are then in L1). The activation side of every block pair is
/// prepared once per call by <see cref="Prepare"/> — values, format help (<see cref="IFewTokensFormat{T}.Help"/>)
/// and the block scales as floats — so per (row, token, pair) the work is the integer sums, one conversion, one
/// scale product and one fused multiply-add. Weight and activation scales are both kept compact (two floats a pair,
/// spread over their lanes by one permute when used): the working set of a wide row (4864 columns) then stays in
/// L1, which was worth ~10–18% over storing them spread (64 bytes a pair).
/// Per (row, token) it computes exactly what <see cref="VecDot.Dot"/> computes on its AVX-512 path (the lane sums,
/// the scale products dw·dx, the FMA order and the final lane sum), so a token's outputs do not depend on which
/// other tokens share the batch. <see cref="Reference"/> is the same arithmetic in plain scalar code.
/// </summary>
internal static unsafe class MatMulFewTokens<TFormat, TWeights>
    where TFormat : struct, IFewTokensFormat<TWeights>
    where TWeights : struct
{
    /// <summary>Bytes of one token's prepared block pair: 64 int8 values and 64 help bytes (its two scales are stored apart).</summary>
    public const int PairBytes = 128;

    private const int Chunk = 16; // blocks whose weight scales are converted together
    private const int ActivationBlockBytes = 34; // Q8_0: fp16 d + 32 int8

    private static int BlockBytes => TFormat.BlockBytes;

    /// <summary>True when this kernel can run (it reproduces the AVX-512 dot product; Q4_0 needs <c>vpermb</c>).</summary>
    public static bool IsSupported => VecDotInt8.Use512 && Avx512Vbmi.IsSupported && Avx2.IsSupported;

    /// <summary>Bytes <see cref="Prepare"/> writes for <paramref name="tokens"/> rows of <paramref name="blocks"/> blocks.</summary>
    public static long PreparedBytes(int tokens, int blocks) => ScalesOffset(tokens, blocks) + ((long)tokens * 2 * ((blocks + 1) / 2) + 16) * sizeof(float);

    // The pairs, then the activation block scales: (tokens, 2·pairs) floats, and 16 floats for Rows4's wide load.
    private static long ScalesOffset(int tokens, int blocks) => (long)tokens * ((blocks + 1) / 2) * PairBytes;

    /// <summary>
    /// Lays out the Q8_0 activation rows (<paramref name="tokens"/> × <paramref name="actRowBytes"/>) as block pairs
    /// for <see cref="Run"/>: (tokens, pairs, <see cref="PairBytes"/>), then the block scales as floats (tokens,
    /// 2·pairs). A lone last block's pair has zero values, help and scale in its high half, which is what VecDot's
    /// odd-block step adds. The scales are kept compact (8 bytes a pair rather than spread over 64) so that a wide
    /// row's prepared tokens take less of L1.
    /// </summary>
    public static void Prepare(byte* act, int actRowBytes, int tokens, int blocks, byte* prepared)
    {
        byte* dst = prepared;
        float* scales = (float*)(prepared + ScalesOffset(tokens, blocks));
        for (int t = 0; t < tokens; t++)
        {
            byte* a = act + (long)t * actRowBytes;
            for (int b = 0; b < blocks; b += 2, dst += PairBytes)
            {
                bool pair = b + 1 < blocks;
                byte* low = a + b * ActivationBlockBytes, high = low + ActivationBlockBytes;
                Vector512<sbyte> values = (pair ? VecDotInt8.Join(low + 2, high + 2) : Vector256.Load(low + 2).ToVector512()).AsSByte();
                Vector512.Store(values, (sbyte*)dst);
                Vector512.Store(TFormat.Help(values), dst + 64);
                float dl = HalfConvert.HalfToSingle(Unsafe.ReadUnaligned<ushort>(low));
                float dh = pair ? HalfConvert.HalfToSingle(Unsafe.ReadUnaligned<ushort>(high)) : 0f;
                *scales++ = dl;
                *scales++ = dh;
            }
        }
    }

    /// <summary>Floats of per-worker scratch <see cref="Run"/> needs: weight scales and padded row tails of 4 rows.</summary>
    public static int ScratchFloats(int blocks) => ScaleFloats(blocks) + 4 * TailBytes / sizeof(float);

    // 4 rows of 2·pairs scales, plus one chunk: chunks are stored whole, and Rows4 loads 16 floats from each pair's.
    private static int ScaleFloats(int blocks) => 4 * 2 * ((blocks + 1) / 2) + Chunk;

    /// <summary>
    /// y[t·yStride + r] = dot(W[r], x[t]) for rows [start, end) and tokens [0, tokens). <paramref name="prepared"/> is
    /// <see cref="Prepare"/>'s output; <paramref name="act"/> (the Q8_0 rows it was made from) serves rows left over
    /// from groups of four, which take <see cref="VecDot.Dot"/> (bit-identical, so interchangeable).
    /// <paramref name="scratch"/> holds <see cref="ScratchFloats"/> floats, 64-byte aligned or not.
    /// </summary>
    public static void Run(byte* w, int rowBytes, int start, int end, int blocks, byte* prepared, int tokens,
        float* y, int yStride, byte* act, int actRowBytes, float* scratch, int matrixRows)
    {
        int pairs = (blocks + 1) / 2;
        long xStride = (long)pairs * PairBytes;
        float* dx = (float*)(prepared + ScalesOffset(tokens, blocks));
        long dStride = 2L * pairs;
        // Every pair is read with the wide load straight from its row, which may run past the row's end: into the next
        // row, harmless (the bytes read there are not used, and a lone last block's partner gets zero activations and
        // scale 0) — except past the matrix's end, where the mapping may end. So the last rows of the matrix read their
        // last pairs (those whose load would leave the row) from a zero-padded copy.
        int widePairs = Math.Clamp((rowBytes - TFormat.Overread) / (2 * BlockBytes), 0, blocks / 2);
        int lastSafeGroup = matrixRows - 4;
        var group = new Group
        {
            RowBytes = rowBytes,
            Pairs = pairs,
            WidePairs = widePairs,
            Scales = scratch,
            Tails = (byte*)(scratch + ScaleFloats(blocks)),
        };
        int r = start;
        for (; r + 4 <= end; r += 4)
        {
            group.Rows = w + (long)r * rowBytes;
            group.WidePairs = r < lastSafeGroup ? pairs : widePairs;
            PrepareGroup(group, blocks);
            int t = 0;
            for (; t + 4 <= tokens; t += 4)
                Rows4<FourTokens>(group, prepared + t * xStride, xStride, dx + t * dStride, dStride, y + (long)t * yStride + r, yStride);
            byte* x = prepared + t * xStride;
            float* d = dx + t * dStride;
            float* yt = y + (long)t * yStride + r;
            switch (tokens - t)
            {
                case 3: Rows4<ThreeTokens>(group, x, xStride, d, dStride, yt, yStride); break;
                case 2: Rows4<TwoTokens>(group, x, xStride, d, dStride, yt, yStride); break;
                case 1: Rows4<OneToken>(group, x, xStride, d, dStride, yt, yStride); break;
            }
        }
        for (; r < end; r++)
        {
            var row = new ReadOnlySpan<byte>(w + (long)r * rowBytes, rowBytes);
            for (int t = 0; t < tokens; t++)
                y[(long)t * yStride + r] = VecDot.Dot(TFormat.Type, row, new ReadOnlySpan<byte>(act + (long)t * actRowBytes, actRowBytes), blocks * 32);
        }
    }

    private const int TailBytes = 256; // per row: at most two pairs (72 or 136 bytes) + the wide load's overread

    /// <summary>Four consecutive weight rows and their per-group scratch.</summary>
    private struct Group
    {
        public byte* Rows;
        public int RowBytes, Pairs, WidePairs;
        public float* Scales;            // (row, 2·pairs): block b's scale as a float (0 for a lone last block's partner)
        public byte* Tails;              // (row, TailBytes): pairs from WidePairs on, zero-padded to whole pairs
    }

    /// <summary>
    /// Fills the group's scratch: the weight scales as floats (converted 16 blocks at a time), and each row's last
    /// pairs copied with zeros after them, so the main loop has one shape (a lone last block becomes a pair whose
    /// second block is zero, with scale 0: the 0·0 that VecDot adds for it). The scales stay compact (8 bytes a
    /// pair, spread over their lanes in <see cref="Rows4"/>): spread copies were 64 bytes a pair, which for wide
    /// rows filled L1 and evicted the prefetched weights.
    /// </summary>
    private static void PrepareGroup(in Group g, int blocks)
    {
        if (blocks % 2 == 0)
            ConvertScalesFlat(g, blocks);
        else
            for (int i = 0; i < 4; i++)
                ConvertScales(g.Rows + (long)i * g.RowBytes, g.Scales + i * 2 * g.Pairs, blocks);
        if (g.WidePairs == g.Pairs)
            return;
        int tailOffset = g.WidePairs * 2 * BlockBytes;
        for (int i = 0; i < 4; i++)
        {
            var tail = new Span<byte>(g.Tails + i * TailBytes, TailBytes);
            tail.Clear();
            new ReadOnlySpan<byte>(g.Rows + (long)i * g.RowBytes + tailOffset, g.RowBytes - tailOffset).CopyTo(tail);
        }
    }

    /// <summary>
    /// Even block counts: the four rows are 4·blocks consecutive blocks, stored in order, so the scales are converted
    /// 16 at a time straight through the group. Only a group whose block count is not a multiple of 16 ends in a
    /// partial chunk (gathered; its absent lanes are 0, stored into the padding); model shapes have none.
    /// </summary>
    private static void ConvertScalesFlat(in Group g, int blocks)
    {
        int total = 4 * blocks;
        for (int c = 0; c < total; c += Chunk)
            Vector512.Store(Convert16(g.Rows + (long)c * BlockBytes, Math.Min(Chunk, total - c)), g.Scales + c);
    }

    /// <summary>
    /// One row's scales (odd block counts), stored at 2·pairs = blocks + 1 floats a row: the last chunk's absent lanes
    /// are 0, so the lone last block's partner gets scale 0 (the lanes after it are overwritten by the next row).
    /// </summary>
    private static void ConvertScales(byte* row, float* scales, int blocks)
    {
        for (int c = 0; c < blocks; c += Chunk)
            Vector512.Store(Convert16(row + c * BlockBytes, Math.Min(Chunk, blocks - c)), scales + c);
    }

    /// <summary>The scales of <paramref name="count"/> (≤ 16) consecutive blocks as floats, 0 in lanes from count on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Convert16(byte* first, int count) => HalfConvert.HalfToSingle(
        count == Chunk ? TFormat.ScaleHalves(first) : Q8RowHelpers.GatherScaleHalves(first, count, BlockBytes));

    /// <summary>Four weight rows × <typeparamref name="TCount"/> tokens: accumulator a{t}{i} is token t, row i.</summary>
    // Not inlined: each token count gets its own body, with the unused accumulators removed as dead code. One loop
    // with no inner branches, so the JIT keeps the sixteen accumulators in registers.
    [MethodImpl(MethodImplOptions.NoInlining)]
    [SkipLocalsInit]
    private static void Rows4<TCount>(in Group g, byte* x, long xStride, float* dx, long dStride, float* y, long yStride)
        where TCount : struct, ITokenCount
    {
        byte* r0 = g.Rows, r1 = r0 + g.RowBytes, r2 = r1 + g.RowBytes, r3 = r2 + g.RowBytes;
        // Tail rows, offset so that tail + (pair offset) addresses the copy of that pair.
        long shift = (long)g.WidePairs * 2 * BlockBytes;
        byte* t0 = g.Tails - shift, t1 = t0 + TailBytes, t2 = t1 + TailBytes, t3 = t2 + TailBytes;
        byte* x1 = x + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
        float* d0 = dx, d1 = d0 + dStride, d2 = d1 + dStride, d3 = d2 + dStride;
        float* s0 = g.Scales, s1 = s0 + 2 * g.Pairs, s2 = s1 + 2 * g.Pairs, s3 = s2 + 2 * g.Pairs;
        // Block 2p's scale in lanes 0–7, 2p + 1's in 8–15, from the 16 floats loaded at 2p.
        Vector512<int> pick = Vector512.Create(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
        int pairs = g.Pairs, widePairs = g.WidePairs;
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
        byte* ahead = r0 + 8L * g.RowBytes; // two groups ahead, as in MatVecQ8Rows
        for (int p = 0; p < pairs; p++)
        {
            long o = (long)p * 2 * BlockBytes;
            byte* next = ahead + 4 * o;
            Q8RowHelpers.PrefetchGroupPair(next, BlockBytes);
            bool wide = p < widePairs;
            TWeights q0 = TFormat.Pair((wide ? r0 : t0) + o);
            TWeights q1 = TFormat.Pair((wide ? r1 : t1) + o);
            TWeights q2 = TFormat.Pair((wide ? r2 : t2) + o);
            TWeights q3 = TFormat.Pair((wide ? r3 : t3) + o);
            long xo = (long)p * PairBytes;
            Vector512<float> w0 = Avx512F.PermuteVar16x32(Vector512.Load(s0 + 2 * p), pick);
            Vector512<float> w1 = Avx512F.PermuteVar16x32(Vector512.Load(s1 + 2 * p), pick);
            Vector512<float> w2 = Avx512F.PermuteVar16x32(Vector512.Load(s2 + 2 * p), pick);
            Vector512<float> w3 = Avx512F.PermuteVar16x32(Vector512.Load(s3 + 2 * p), pick);
            byte* xp = x + xo;
            Vector512<float> d = Avx512F.PermuteVar16x32(Vector512.Load(d0 + 2 * p), pick);
            a00 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(TFormat.Sums(q0, xp)), w0 * d, a00);
            a01 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(TFormat.Sums(q1, xp)), w1 * d, a01);
            a02 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(TFormat.Sums(q2, xp)), w2 * d, a02);
            a03 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(TFormat.Sums(q3, xp)), w3 * d, a03);
            if (TCount.Value > 1)
            {
                xp = x1 + xo;
                d = Avx512F.PermuteVar16x32(Vector512.Load(d1 + 2 * p), pick);
                a10 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(TFormat.Sums(q0, xp)), w0 * d, a10);
                a11 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(TFormat.Sums(q1, xp)), w1 * d, a11);
                a12 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(TFormat.Sums(q2, xp)), w2 * d, a12);
                a13 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(TFormat.Sums(q3, xp)), w3 * d, a13);
            }
            if (TCount.Value > 2)
            {
                xp = x2 + xo;
                d = Avx512F.PermuteVar16x32(Vector512.Load(d2 + 2 * p), pick);
                a20 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(TFormat.Sums(q0, xp)), w0 * d, a20);
                a21 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(TFormat.Sums(q1, xp)), w1 * d, a21);
                a22 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(TFormat.Sums(q2, xp)), w2 * d, a22);
                a23 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(TFormat.Sums(q3, xp)), w3 * d, a23);
            }
            if (TCount.Value > 3)
            {
                xp = x3 + xo;
                d = Avx512F.PermuteVar16x32(Vector512.Load(d3 + 2 * p), pick);
                a30 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(TFormat.Sums(q0, xp)), w0 * d, a30);
                a31 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(TFormat.Sums(q1, xp)), w1 * d, a31);
                a32 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(TFormat.Sums(q2, xp)), w2 * d, a32);
                a33 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(TFormat.Sums(q3, xp)), w3 * d, a33);
            }
        }
        Store4(y, a00, a01, a02, a03);
        if (TCount.Value > 1)
            Store4(y + yStride, a10, a11, a12, a13);
        if (TCount.Value > 2)
            Store4(y + 2 * yStride, a20, a21, a22, a23);
        if (TCount.Value > 3)
            Store4(y + 3 * yStride, a30, a31, a32, a33);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store4(float* y, Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3)
    {
        y[0] = Q8RowHelpers.Sum(a0);
        y[1] = Q8RowHelpers.Sum(a1);
        y[2] = Q8RowHelpers.Sum(a2);
        y[3] = Q8RowHelpers.Sum(a3);
    }

    /// <summary>
    /// The plain scalar version of what <see cref="Run"/> computes for one (row, token): sixteen float lanes, lane j
    /// of block b's half (b even: lanes 0–7, odd: 8–15) accumulating the integer sum over elements 4j..4j+3 of the
    /// block times (dw·dx) with one fused multiply-add per block pair (a lone last block still adds 0·0 to its high
    /// half), then the lanes summed as <see cref="Q8RowHelpers.Sum"/> does. <paramref name="act"/> is a Q8_0 row.
    /// </summary>
    internal static float Reference(ReadOnlySpan<byte> row, ReadOnlySpan<byte> act, int blocks)
    {
        Span<float> lanes = stackalloc float[16];
        lanes.Clear();
        for (int b0 = 0; b0 < blocks; b0 += 2)
        {
            for (int half = 0; half < 2; half++)
            {
                int b = b0 + half;
                for (int j = 0; j < 8; j++)
                {
                    int sum = 0;
                    float scale = 0;
                    if (b < blocks)
                    {
                        ReadOnlySpan<byte> wb = row.Slice(b * BlockBytes, BlockBytes), xb = act.Slice(b * ActivationBlockBytes, ActivationBlockBytes);
                        for (int e = 4 * j; e < 4 * j + 4; e++)
                            sum += WeightAt(wb, e) * (sbyte)xb[2 + e];
                        scale = HalfConvert.HalfToSingle(BitConverter.ToUInt16(wb)) * HalfConvert.HalfToSingle(BitConverter.ToUInt16(xb));
                    }
                    lanes[8 * half + j] = MathF.FusedMultiplyAdd(sum, scale, lanes[8 * half + j]);
                }
            }
        }
        Span<float> quarters = stackalloc float[4];
        for (int q = 0; q < 4; q++)
            quarters[q] = (lanes[4 * q] + lanes[4 * q + 1]) + (lanes[4 * q + 2] + lanes[4 * q + 3]);
        return (quarters[0] + quarters[1]) + (quarters[2] + quarters[3]);
    }

    /// <summary>Element <paramref name="e"/> (0–31) of a weight block as a signed integer.</summary>
    private static int WeightAt(ReadOnlySpan<byte> block, int e) => TFormat.Type switch
    {
        GgmlType.Q4_0 => (e < 16 ? block[2 + e] & 0x0F : block[2 + e - 16] >> 4) - 8,
        GgmlType.Q8_0 => (sbyte)block[2 + e],
        _ => throw new NotSupportedException($"{TFormat.Type} has no few-token kernel."),
    };
}
