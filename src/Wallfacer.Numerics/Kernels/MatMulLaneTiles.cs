using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// Prompt batches against weights whose <see cref="VecDot.Dot"/> keeps one 8-lane accumulator per output (Q5_0,
/// Q4_K, Q6_K; see <see cref="ILaneTileFormat"/>), with AVX-512: each 512-bit vector carries two tokens, one per
/// 256-bit half, and a register tile covers 4 weight rows × 4 tokens (8 accumulators, plus 8 integer step sums for
/// the super-block formats). Every half repeats <see cref="VecDot.Dot"/>'s arithmetic for its (row, token) — the same
/// int32 lane sums per step, the same fp32 scale product dw·dx, the same fused multiply-add in step order, the same
/// final <see cref="Vector256.Sum{T}"/> (and, for Q4_K, the same scalar min terms) — so results are bit-identical.
/// <para>
/// Weight rows are unpacked once per row tile and token block into scratch (levels as bytes, sub-block scales as
/// int16 multipliers, d, dmin, mins: <see cref="ILaneTileFormat.PrepareStep"/>); activations are laid out once per
/// call in token pairs (<see cref="Prepare"/>). Token blocks keep their prepared activations in L2.
/// </para>
/// <para>
/// The kernel methods are <see cref="MethodImplOptions.AggressiveOptimization"/>: tests then run the same fully optimised
/// code as a long prompt does (a tier-0 build of the same source once hid a wrong optimised one).
/// </para>
/// </summary>
internal static unsafe class MatMulLaneTiles<TFormat> where TFormat : struct, ILaneTileFormat
{
    private const int TileRows = 4;
    private const int TileTokens = 4;                // two token pairs
    private const int TokenBlockBytes = 256 * 1024;  // prepared activations kept per token block (half the shared L2)

    // Weight record per (row, step): levels (chunks × 32 B), d and dmin (16 B), [mins: 8 int], [multipliers: chunks × 64 B].
    private static int LevelsBytes
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TFormat.Chunks * 32;
    }
    private static int MinsOffset
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => LevelsBytes + 16;
    }
    private static int MultipliersOffset
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => MinsOffset + (TFormat.HasMins ? 32 : 0);
    }
    private static int WeightRecordBytes
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => MultipliersOffset + (TFormat.UnitMultipliers ? 0 : TFormat.Chunks * 64);
    }

    // Activation record per (token pair, step): values (chunks × 64 B: token 0's 32 then token 1's), the scale lanes
    // (dy₀ ×8, dy₁ ×8), and for mins the eight group sums Σy of each token (int32).
    private static int ScaleOffset
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TFormat.Chunks * 64;
    }
    private static int SumsOffset
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ScaleOffset + 64;
    }
    private static int ActivationRecordBytes
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => SumsOffset + (TFormat.HasMins ? 64 : 0);
    }

    /// <summary>True when this kernel can run (it reproduces the 256-bit dot product with AVX-512, so only then).</summary>
    public static bool IsSupported => VecDotInt8.Use512 && Fma.IsSupported;

    private static int PaddedTokens(int tokens) => (tokens + TileTokens - 1) / TileTokens * TileTokens;

    /// <summary>Bytes of <see cref="Prepare"/>'s output.</summary>
    public static long PreparedBytes(int tokens, int steps) => (long)PaddedTokens(tokens) / 2 * steps * ActivationRecordBytes;

    /// <summary>Floats of per-worker scratch <see cref="Run"/> needs: one row tile of prepared weights.</summary>
    public static int ScratchFloats(int steps) => TileRows * steps * WeightRecordBytes / sizeof(float) + 16;

    /// <summary>Lays out activation rows (Q8_0 or Q8_K, <paramref name="actRowBytes"/> apart) in token pairs; padding tokens are zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Prepare(byte* acts, int actRowBytes, int tokens, int steps, byte* prepared)
    {
        new Span<byte>(prepared, checked((int)PreparedBytes(tokens, steps))).Clear();
        for (int t = 0; t < tokens; t++)
        {
            int half = t & 1;
            byte* row = acts + (long)t * actRowBytes;
            for (int s = 0; s < steps; s++)
            {
                byte* step = row + (long)s * TFormat.ActivationStepBytes;
                byte* o = prepared + ((long)(t / 2) * steps + s) * ActivationRecordBytes;
                for (int c = 0; c < TFormat.Chunks; c++)
                    Vector256.Load(step + TFormat.ActivationQsOffset + 32 * c).Store(o + 64 * c + 32 * half);
                Vector256.Create(TFormat.ActivationScale(step)).Store((float*)(o + ScaleOffset) + 8 * half);
                if (TFormat.HasMins)
                    GroupSums(step, (int*)(o + SumsOffset) + 8 * half);
            }
        }
    }

    /// <summary>Σy per 32-element group of a Q8_K super-block, from its sixteen 16-element bsums.</summary>
    private static void GroupSums(byte* step, int* sums)
    {
        short* bsums = (short*)(step + BlockQ8K.BsumsOffset);
        for (int g = 0; g < 8; g++)
            sums[g] = bsums[2 * g] + bsums[2 * g + 1];
    }

    /// <summary>y[t·yStride + r] = dot(W[r], x[t]) for rows [start, end) and every token, from <see cref="Prepare"/>'s output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(byte* w, int rowBytes, int start, int end, int steps, byte* prepared, int tokens,
        float* y, int yStride, float* scratch)
    {
        int padded = PaddedTokens(tokens);
        int tokenBlock = Math.Max(TileTokens, TokenBlockBytes / (steps * ActivationRecordBytes / 2) / TileTokens * TileTokens);
        byte* weights = (byte*)scratch;
        long rowStride = (long)steps * WeightRecordBytes;
        for (int tb = 0; tb < padded; tb += tokenBlock)
        {
            int tbEnd = Math.Min(padded, tb + tokenBlock);
            for (int g = start; g < end; g += TileRows)
            {
                // A short last tile repeats row end − 1 (computed, never stored).
                for (int i = 0; i < TileRows; i++)
                    PrepareRow(w + (long)Math.Min(g + i, end - 1) * rowBytes, steps, weights + i * rowStride);
                int rowCount = Math.Min(TileRows, end - g);
                for (int t = tb; t < tbEnd; t += TileTokens)
                    Tile(weights, rowStride, prepared + (long)(t / 2) * steps * ActivationRecordBytes, steps,
                        y + (long)t * yStride + g, yStride, rowCount, Math.Min(TileTokens, tokens - t));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PrepareRow(byte* row, int steps, byte* dst)
    {
        int* noMins = stackalloc int[8];
        for (int s = 0; s < steps; s++, dst += WeightRecordBytes, row += TFormat.WeightStepBytes)
        {
            TFormat.PrepareStep(row, dst, TFormat.UnitMultipliers ? null : (short*)(dst + MultipliersOffset),
                (float*)(dst + LevelsBytes), (float*)(dst + LevelsBytes + 4), TFormat.HasMins ? (int*)(dst + MinsOffset) : noMins);
        }
    }

    /// <summary>One chunk's lane sums for two tokens: Σ₄ mult·(q·y pair sums − offset·y pair sums).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> ChunkSums(Vector512<byte> q, Vector512<sbyte> y, Vector512<short> companion, byte* multipliers)
    {
        Vector512<short> pairs = Avx512BW.MultiplyAddAdjacent(q, y);
        if (TFormat.OffsetShift != 0)
            pairs -= companion;
        return Avx512BW.MultiplyAddAdjacent(pairs, TFormat.UnitMultipliers ? Vector512<short>.One : Vector512.Load((short*)multipliers));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> Companion(Vector512<sbyte> y) =>
        TFormat.OffsetShift == 0 ? default : Vector512.ShiftLeft(Avx512BW.MultiplyAddAdjacent(Vector512<byte>.One, y), TFormat.OffsetShift);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Levels(byte* record, int chunk) =>
        Avx512F.BroadcastVector256ToVector512((ulong*)(record + 32 * chunk)).AsByte(); // vbroadcasti64x4: one load

    /// <summary>acc + sums·(d × (dy₀ | dy₁)): the per-step float update of both halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Update(Vector512<float> acc, Vector512<int> sums, float* d, Vector512<float> dy) =>
        Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(sums), Vector512.Create(*d) * dy, acc);

    /// <summary>4 rows × 2 token pairs over every step; stores the real outputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(byte* weights, long rowStride, byte* act, int steps, float* y, int yStride, int rowCount, int tokenCount)
    {
        Vector512<float> a00 = default, a01 = default, a10 = default, a11 = default;
        Vector512<float> a20 = default, a21 = default, a30 = default, a31 = default;
        float* mins = stackalloc float[TileRows * TileTokens];
        new Span<float>(mins, TileRows * TileTokens).Clear();
        // Offsets as locals: the JIT does not always inline these properties, and a call in the loop spills every register.
        int recordBytes = WeightRecordBytes, actBytes = ActivationRecordBytes, multipliers = MultipliersOffset, scale = ScaleOffset;
        int levels = LevelsBytes;
        long pairStride = (long)steps * actBytes;
        for (int s = 0; s < steps; s++)
        {
            byte* w0 = weights + (long)s * recordBytes, w1 = w0 + rowStride, w2 = w1 + rowStride, w3 = w2 + rowStride;
            byte* x0 = act + (long)s * actBytes, x1 = x0 + pairStride;
            Vector512<int> i00 = default, i01 = default, i10 = default, i11 = default;
            Vector512<int> i20 = default, i21 = default, i30 = default, i31 = default;
            for (int c = 0; c < TFormat.Chunks; c++)
            {
                Vector512<byte> q0 = Levels(w0, c), q1 = Levels(w1, c), q2 = Levels(w2, c), q3 = Levels(w3, c);
                int m = multipliers + 64 * c;
                var y0 = Vector512.Load((sbyte*)(x0 + 64 * c));
                var c0 = Companion(y0);
                i00 += ChunkSums(q0, y0, c0, w0 + m); i10 += ChunkSums(q1, y0, c0, w1 + m);
                i20 += ChunkSums(q2, y0, c0, w2 + m); i30 += ChunkSums(q3, y0, c0, w3 + m);
                var y1 = Vector512.Load((sbyte*)(x1 + 64 * c));
                var c1 = Companion(y1);
                i01 += ChunkSums(q0, y1, c1, w0 + m); i11 += ChunkSums(q1, y1, c1, w1 + m);
                i21 += ChunkSums(q2, y1, c1, w2 + m); i31 += ChunkSums(q3, y1, c1, w3 + m);
            }
            var d0 = Vector512.Load((float*)(x0 + scale));
            var d1 = Vector512.Load((float*)(x1 + scale));
            float* dw0 = (float*)(w0 + levels), dw1 = (float*)(w1 + levels), dw2 = (float*)(w2 + levels), dw3 = (float*)(w3 + levels);
            a00 = Update(a00, i00, dw0, d0); a10 = Update(a10, i10, dw1, d0); a20 = Update(a20, i20, dw2, d0); a30 = Update(a30, i30, dw3, d0);
            a01 = Update(a01, i01, dw0, d1); a11 = Update(a11, i11, dw1, d1); a21 = Update(a21, i21, dw2, d1); a31 = Update(a31, i31, dw3, d1);
            if (TFormat.HasMins)
                MinTerms(weights + (long)s * recordBytes, rowStride, x0, x1, mins);
        }
        Store(y, yStride, rowCount, tokenCount, 0, mins, a00, a10, a20, a30);
        Store(y, yStride, rowCount, tokenCount, 2, mins, a01, a11, a21, a31);
    }

    /// <summary>minTerms[r, t] += (dmin_r·dy_t)·Σ_g m_g·Σy_g, in VecDotQ4K.Dot256's order (the integer sum is exact in any order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MinTerms(byte* w0, long rowStride, byte* x0, byte* x1, float* mins)
    {
        int levels = LevelsBytes, minsOffset = MinsOffset, scale = ScaleOffset, sums = SumsOffset;
        for (int r = 0; r < TileRows; r++)
        {
            byte* record = w0 + r * rowStride;
            float dmin = *(float*)(record + levels + 4);
            var m = Vector256.Load((int*)(record + minsOffset));
            float* o = mins + r * TileTokens;
            for (int t = 0; t < TileTokens; t++)
            {
                byte* x = t < 2 ? x0 : x1;
                int half = t & 1;
                float dy = ((float*)(x + scale))[8 * half];
                int total = Vector256.Sum(m * Vector256.Load((int*)(x + sums) + 8 * half));
                o[t] += dmin * dy * total;
            }
        }
    }

    /// <summary>Tokens <paramref name="t"/> and t+1 (the halves) for the tile's real rows.</summary>
    private static void Store(float* y, int yStride, int rowCount, int tokenCount, int t, float* mins,
        Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3)
    {
        for (int h = 0; h < 2 && t + h < tokenCount; h++)
        {
            float* o = y + (long)(t + h) * yStride;
            float* mt = mins + t + h;
            o[0] = Result(a0, h, mt[0]);
            if (rowCount > 1) o[1] = Result(a1, h, mt[TileTokens]);
            if (rowCount > 2) o[2] = Result(a2, h, mt[2 * TileTokens]);
            if (rowCount > 3) o[3] = Result(a3, h, mt[3 * TileTokens]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Result(Vector512<float> acc, int half, float minTerms)
    {
        float sum = Vector256.Sum(half == 0 ? acc.GetLower() : acc.GetUpper());
        return TFormat.HasMins ? sum - minTerms : sum;
    }
}
