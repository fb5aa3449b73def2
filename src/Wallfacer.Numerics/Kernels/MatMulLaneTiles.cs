using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// Prompt batches against Q5_0, Q4_K and Q6_K weights (see <see cref="ILaneTileFormat"/>), AVX-512: a register tile
/// covers 4 weight rows × 2 tokens, one token per 512-bit vector (8 float accumulators, 8 integer step sums). Each
/// (row, token) repeats the arithmetic of <see cref="VecDot.Dot"/>'s AVX-512 path, which the one-token row kernels
/// share — the same sixteen int32 lane sums per step, the same fp32 scale products, the same fused multiply-adds in
/// step order and the same final lane sum (<see cref="Q8RowHelpers.Sum"/>) — so results are bit-identical and a
/// prompt's logits equal those of the same tokens decoded one at a time.
/// <para>
/// The speed comes from reuse: a weight row is unpacked once per row tile and token block into scratch (levels as
/// bytes, sub-block scales as int16 multipliers, scales as float lanes: <see cref="ILaneTileFormat.PrepareWeights"/>)
/// instead of once per token, each activation vector serves four rows and each weight vector two tokens. The
/// activations are laid out once per call (<see cref="Prepare"/>). Long rows are cut into step blocks so a row tile's
/// prepared weights stay in L1 (the float accumulators wait in scratch between blocks), and the stored rows of the
/// next block are prefetched while the current one runs.
/// </para>
/// <para>
/// The kernel methods are <see cref="MethodImplOptions.AggressiveOptimization"/>: tests then run the same fully optimised
/// code as a long prompt does (a tier-0 build of the same source once hid a wrong optimised one).
/// </para>
/// </summary>
internal static unsafe class MatMulLaneTiles<TFormat> where TFormat : struct, ILaneTileFormat
{
    private const int TileRows = 4;
    private const int TileTokens = 2;
    // Prepared activations per token block. They stream from L2/L3 one step block at a time, so the block can outgrow
    // L2; a larger block prepares every weight row fewer times (2 MiB: once per 64-token batch at 8192 columns).
    private const int TokenBlockBytes = 2048 * 1024;
    private const int StepBlockBytes = 24 * 1024;    // prepared weights of a row tile per step block: half the L1
    private const int TileAccumulatorFloats = TileRows * TileTokens * 16;

    // Weight record per (row, step), 64-byte aligned parts: levels (chunks × 64 B), multipliers (chunks × 64 B, not
    // for unit multipliers), dw (16 floats), dmin (16 floats, min term only), group-sum factors (16 int16, padded).
    private static int MultipliersOffset
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TFormat.Chunks * 64;
    }
    private static int WeightScaleOffset
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => MultipliersOffset + (TFormat.UnitMultipliers ? 0 : TFormat.Chunks * 64);
    }
    private static int MinScaleOffset
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => WeightScaleOffset + 64;
    }
    private static int WeightExtraOffset
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => MinScaleOffset + (TFormat.Extra == LaneTileExtra.MinTerm ? 64 : 0);
    }
    private static int WeightRecordBytes
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => WeightExtraOffset + (TFormat.Extra == LaneTileExtra.None ? 0 : 64);
    }

    // Activation record per (token, step): values (chunks × 64 B), companion (chunks × 64 B, Q5_0), dy (16 floats),
    // group sums (16 int16, padded; K-quants).
    private static int CompanionOffset
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TFormat.Chunks * 64;
    }
    private static int ActivationScaleOffset
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => CompanionOffset + (TFormat.HasCompanion ? TFormat.Chunks * 64 : 0);
    }
    private static int SumsOffset
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ActivationScaleOffset + 64;
    }
    private static int ActivationRecordBytes
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => SumsOffset + (TFormat.Extra == LaneTileExtra.None ? 0 : 64);
    }

    /// <summary>True when this kernel can run: it reproduces the AVX-512 dot product, so only where that is VecDot's path.</summary>
    public static bool IsSupported => VecDotInt8.Use512 && Avx512Vbmi.IsSupported && Avx2.IsSupported && Fma.IsSupported;

    /// <summary>Steps (block pairs or super-blocks) of a row of <paramref name="columns"/>.</summary>
    public static int Steps(int columns) => (columns + TFormat.StepElements - 1) / TFormat.StepElements;

    private static int PaddedTokens(int tokens) => (tokens + TileTokens - 1) / TileTokens * TileTokens;

    /// <summary>Bytes of <see cref="Prepare"/>'s output (room for 64-byte alignment included).</summary>
    public static long PreparedBytes(int tokens, int columns) => (long)PaddedTokens(tokens) * Steps(columns) * ActivationRecordBytes + 64;

    /// <summary>Steps per step block: the prepared weights of a row tile stay in L1 while every token of a block passes.</summary>
    private static int StepBlock(int steps) => Math.Clamp(StepBlockBytes / (TileRows * WeightRecordBytes), 1, steps);

    /// <summary>Tokens per token block (a multiple of the tile): each block prepares every weight row once more.</summary>
    private static int TokenBlock(int tokens, int steps) =>
        (int)Math.Min(PaddedTokens(tokens), Math.Max(TileTokens, TokenBlockBytes / ((long)steps * ActivationRecordBytes) / TileTokens * TileTokens));

    /// <summary>
    /// Floats of per-worker scratch <see cref="Run"/> needs: one row tile of prepared weights for a step block, and the
    /// float accumulators of a token block's tiles between step blocks; 64-byte aligned.
    /// </summary>
    public static int ScratchFloats(int columns, int tokens)
    {
        int steps = Steps(columns);
        return TileRows * StepBlock(steps) * WeightRecordBytes / sizeof(float) + TokenBlock(tokens, steps) / TileTokens * TileAccumulatorFloats + 16;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* Align64(void* p) => (byte*)(((nuint)p + 63) & ~(nuint)63);

    /// <summary>Lays out activation rows (Q8_0 or Q8_K, <paramref name="actRowBytes"/> apart) per token and step; padding tokens are zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Prepare(byte* acts, int actRowBytes, int tokens, int columns, byte* prepared)
    {
        int steps = Steps(columns), record = ActivationRecordBytes;
        byte* o = Align64(prepared);
        new Span<byte>(o, checked((int)((long)PaddedTokens(tokens) * steps * record))).Clear();
        for (int t = 0; t < tokens; t++)
        {
            byte* row = acts + (long)t * actRowBytes;
            for (int s = 0; s < steps; s++, o += record)
                TFormat.PrepareActivations(row, columns, s, (sbyte*)o, (short*)(o + CompanionOffset), (float*)(o + ActivationScaleOffset), (short*)(o + SumsOffset));
        }
    }

    /// <summary>
    /// y[t·yStride + r] = dot(W[r], x[t]) for rows [start, end) and every token, from <see cref="Prepare"/>'s output.
    /// Loops, outermost first: token blocks (<see cref="TokenBlockBytes"/> of activations), row tiles, step blocks (a
    /// row tile's prepared weights, kept in L1), token pairs (their activations stream from L2/L3). Between step blocks each tile's float accumulators wait in scratch, so every (row, token)
    /// still adds its steps in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(byte* w, int rowBytes, int columns, int start, int end, byte* prepared, int tokens,
        float* y, int yStride, float* scratch)
    {
        int steps = Steps(columns), stepBlock = StepBlock(steps), tokenBlock = TokenBlock(tokens, steps);
        int padded = PaddedTokens(tokens);
        long tokenStride = (long)steps * ActivationRecordBytes;
        byte* act = Align64(prepared);
        byte* weights = Align64(scratch);
        long rowStride = (long)stepBlock * WeightRecordBytes;
        float* accumulators = (float*)(weights + TileRows * rowStride);
        for (int tb = 0; tb < padded; tb += tokenBlock)
        {
            int tbEnd = Math.Min(padded, tb + tokenBlock);
            for (int g = start; g < end; g += TileRows)
            {
                int rowCount = Math.Min(TileRows, end - g);
                for (int sb = 0; sb < steps; sb += stepBlock)
                {
                    int count = Math.Min(stepBlock, steps - sb);
                    // A short last tile repeats row end − 1 (computed, never stored).
                    for (int i = 0; i < TileRows; i++)
                        PrepareRow(w + (long)Math.Min(g + i, end - 1) * rowBytes, columns, sb, count, weights + i * rowStride);
                    // The stored bytes the next step block will prepare, requested now: the tiles below take far longer
                    // than the fetch, so the next preparation reads from L2 instead of waiting for memory.
                    if (sb + count < steps)
                        PrefetchRows(w, rowBytes, g, end, sb + count, Math.Min(stepBlock, steps - sb - count));
                    else if (g + TileRows < end)
                        PrefetchRows(w, rowBytes, g + TileRows, end, 0, Math.Min(stepBlock, steps));
                    bool first = sb == 0, last = sb + count == steps;
                    for (int t = tb; t < tbEnd; t += TileTokens)
                    {
                        Tile(weights, rowStride, act + t * tokenStride + (long)sb * ActivationRecordBytes, tokenStride, count,
                            accumulators + (t - tb) / TileTokens * TileAccumulatorFloats, first, last,
                            y + (long)t * yStride + g, yStride, rowCount, Math.Min(TileTokens, tokens - t));
                    }
                }
            }
        }
    }

    /// <summary>
    /// Requests steps [first, first + count) of the stored rows [g, min(g + 4, end)) into L2 (Q5_0's odd last block may
    /// make that a few bytes past a row; a prefetch never faults).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchRows(byte* w, int rowBytes, int g, int end, int first, int count)
    {
        int bytes = count * TFormat.WeightStepBytes;
        for (int r = g; r < Math.Min(g + TileRows, end); r++)
        {
            byte* p = w + (long)r * rowBytes + (long)first * TFormat.WeightStepBytes;
            for (int o = 0; o < bytes; o += 64)
                Sse.Prefetch1(p + o);
        }
    }

    /// <summary>Steps [first, first + count) of one weight row, prepared into consecutive records.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PrepareRow(byte* row, int columns, int first, int count, byte* dst)
    {
        for (int s = first; s < first + count; s++, dst += WeightRecordBytes)
        {
            TFormat.PrepareWeights(row, columns, s, dst, (short*)(dst + MultipliersOffset), (float*)(dst + WeightScaleOffset),
                (short*)(dst + WeightExtraOffset), (float*)(dst + MinScaleOffset));
        }
    }

    /// <summary>One chunk's lane sums: vpmaddwd(vpmaddubsw(levels, y) − companion, multipliers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> ChunkSums(Vector512<byte> q, Vector512<sbyte> y, Vector512<short> companion, byte* multipliers)
    {
        Vector512<short> pairs = Avx512BW.MultiplyAddAdjacent(q, y);
        if (TFormat.HasCompanion)
            pairs -= companion;
        return Avx512BW.MultiplyAddAdjacent(pairs, TFormat.UnitMultipliers ? Vector512<short>.One : Vector512.Load((short*)multipliers));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> Companion(byte* x, int chunk) =>
        TFormat.HasCompanion ? Vector512.Load((short*)(x + CompanionOffset + 64 * chunk)) : default;

    /// <summary>The end of a step for one (row, token): the group-sum term, then acc + sums·(dw·dy) [+ min term·(dmin·dy)].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Step(Vector512<float> acc, Vector512<int> sums, byte* w, byte* x)
    {
        Vector512<float> dy = Vector512.Load((float*)(x + ActivationScaleOffset));
        if (TFormat.Extra == LaneTileExtra.InSums)
            sums += GroupSumTerm(w, x).ToVector512();
        acc = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(sums), Vector512.Load((float*)(w + WeightScaleOffset)) * dy, acc);
        if (TFormat.Extra == LaneTileExtra.MinTerm)
        {
            acc = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(GroupSumTerm(w, x).ToVector512()),
                Vector512.Load((float*)(w + MinScaleOffset)) * dy, acc);
        }
        return acc;
    }

    /// <summary>Eight int32 lanes: the row's 16 group-sum factors times the token's 16 group sums, in adjacent pairs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> GroupSumTerm(byte* w, byte* x) =>
        Avx2.MultiplyAddAdjacent(Vector256.Load((short*)(w + WeightExtraOffset)), Vector256.Load((short*)(x + SumsOffset)));

    /// <summary>
    /// 4 rows × 2 tokens over <paramref name="steps"/> steps: starts from zero (<paramref name="first"/> step block) or
    /// the saved <paramref name="accumulators"/>; stores the real outputs after the <paramref name="last"/> block, else
    /// saves the accumulators.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(byte* weights, long rowStride, byte* act, long tokenStride, int steps, float* accumulators, bool first, bool last,
        float* y, int yStride, int rowCount, int tokenCount)
    {
        Vector512<float> a00 = default, a01 = default, a10 = default, a11 = default;
        Vector512<float> a20 = default, a21 = default, a30 = default, a31 = default;
        if (!first)
        {
            a00 = Vector512.Load(accumulators); a10 = Vector512.Load(accumulators + 16);
            a20 = Vector512.Load(accumulators + 32); a30 = Vector512.Load(accumulators + 48);
            a01 = Vector512.Load(accumulators + 64); a11 = Vector512.Load(accumulators + 80);
            a21 = Vector512.Load(accumulators + 96); a31 = Vector512.Load(accumulators + 112);
        }
        // Offsets as locals: the JIT does not always inline these properties, and a call in the loop spills every register.
        int wRecord = WeightRecordBytes, aRecord = ActivationRecordBytes, multipliers = MultipliersOffset;
        for (int s = 0; s < steps; s++)
        {
            byte* w0 = weights + (long)s * wRecord, w1 = w0 + rowStride, w2 = w1 + rowStride, w3 = w2 + rowStride;
            byte* x0 = act + (long)s * aRecord, x1 = x0 + tokenStride;
            Vector512<byte> q0 = Vector512.Load(w0), q1 = Vector512.Load(w1), q2 = Vector512.Load(w2), q3 = Vector512.Load(w3);
            var y0 = Vector512.Load((sbyte*)x0);
            var c0 = Companion(x0, 0);
            Vector512<int> i00 = ChunkSums(q0, y0, c0, w0 + multipliers), i10 = ChunkSums(q1, y0, c0, w1 + multipliers);
            Vector512<int> i20 = ChunkSums(q2, y0, c0, w2 + multipliers), i30 = ChunkSums(q3, y0, c0, w3 + multipliers);
            var y1 = Vector512.Load((sbyte*)x1);
            var c1 = Companion(x1, 0);
            Vector512<int> i01 = ChunkSums(q0, y1, c1, w0 + multipliers), i11 = ChunkSums(q1, y1, c1, w1 + multipliers);
            Vector512<int> i21 = ChunkSums(q2, y1, c1, w2 + multipliers), i31 = ChunkSums(q3, y1, c1, w3 + multipliers);
            for (int c = 1; c < TFormat.Chunks; c++)
            {
                int o = 64 * c, m = multipliers + o;
                q0 = Vector512.Load(w0 + o); q1 = Vector512.Load(w1 + o); q2 = Vector512.Load(w2 + o); q3 = Vector512.Load(w3 + o);
                y0 = Vector512.Load((sbyte*)(x0 + o));
                c0 = Companion(x0, c);
                i00 += ChunkSums(q0, y0, c0, w0 + m); i10 += ChunkSums(q1, y0, c0, w1 + m);
                i20 += ChunkSums(q2, y0, c0, w2 + m); i30 += ChunkSums(q3, y0, c0, w3 + m);
                y1 = Vector512.Load((sbyte*)(x1 + o));
                c1 = Companion(x1, c);
                i01 += ChunkSums(q0, y1, c1, w0 + m); i11 += ChunkSums(q1, y1, c1, w1 + m);
                i21 += ChunkSums(q2, y1, c1, w2 + m); i31 += ChunkSums(q3, y1, c1, w3 + m);
            }
            a00 = Step(a00, i00, w0, x0); a10 = Step(a10, i10, w1, x0); a20 = Step(a20, i20, w2, x0); a30 = Step(a30, i30, w3, x0);
            a01 = Step(a01, i01, w0, x1); a11 = Step(a11, i11, w1, x1); a21 = Step(a21, i21, w2, x1); a31 = Step(a31, i31, w3, x1);
        }
        if (!last)
        {
            a00.Store(accumulators); a10.Store(accumulators + 16); a20.Store(accumulators + 32); a30.Store(accumulators + 48);
            a01.Store(accumulators + 64); a11.Store(accumulators + 80); a21.Store(accumulators + 96); a31.Store(accumulators + 112);
            return;
        }
        Store(y, rowCount, a00, a10, a20, a30);
        if (tokenCount > 1)
            Store(y + yStride, rowCount, a01, a11, a21, a31);
    }

    /// <summary>One token's outputs for the tile's real rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* o, int rowCount, Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3)
    {
        o[0] = Q8RowHelpers.Sum(a0);
        if (rowCount > 1) o[1] = Q8RowHelpers.Sum(a1);
        if (rowCount > 2) o[2] = Q8RowHelpers.Sum(a2);
        if (rowCount > 3) o[3] = Q8RowHelpers.Sum(a3);
    }
}
