using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// One activation row × K-quant weights (Q4_K, Q6_K) with AVX2, fused multiply-adds where FMA is present: the machines
/// without AVX-512. One token goes row by row (<see cref="Row"/>, which is <see cref="VecDot.Dot"/>'s 256-bit path for
/// these types); several tokens share each super-block's unpacking (<see cref="RunTokens"/>) with each (row, token)
/// computed by the same operations, so results are bit-identical to the dot product whatever the batch.
/// </summary>
internal static unsafe class MatVecKRows256<TFormat> where TFormat : struct, IKRowFormat256
{
    private const int ActivationBytes = BlockQ8K.BlockBytes;

    /// <summary>True when this code runs here.</summary>
    public static bool CanRun => Avx2.IsSupported;

    /// <summary>y[r] = dot(W[r], x) for rows [start, end); <paramref name="act"/> is the Q8_K activation row.</summary>
    public static void Run(byte* w, int rowBytes, int start, int end, int blocks, byte* act, float* y) =>
        Run(w, rowBytes, start, end, blocks, act, ActivationBytes, y);

    /// <summary><see cref="Run"/> with the activation blocks <paramref name="blockStride"/> bytes apart.</summary>
    private static void Run(byte* w, int rowBytes, int start, int end, int blocks, byte* act, int blockStride, float* y)
    {
        // One row at a time: four rows in flight made the JIT spill (161 stack accesses in the four-row loop) and ran
        // Q4_K at 7.6–9.2 GB/s in cache against 9.7–13.1 row by row (Q6_K 9.5–10.4 against 12.6–16.5), and one row is
        // one sequential stream the hardware prefetchers follow.
        for (int r = start; r < end; r++)
            y[r] = Row(w + (long)r * rowBytes, blocks, act, blockStride);
    }

    /// <summary>Most tokens that share one unpacking of a super-block in <see cref="RunTokens"/>.</summary>
    private const int TileTokens = 16;

    /// <summary>
    /// Tokens per tile for rows of <paramref name="blocks"/> super-blocks: more tokens share each unpacking, but a tile's
    /// activations are re-read for every row and should stay in the first-level cache. Measured (Zen 3, 64 tokens,
    /// <c>prompt 1 64 Q4_K,Q6_K</c>): 2048 columns ran best with 16 (Q4_K 45–46, Q6_K 43–46 GMAC/s; 8: 40–42 and
    /// 37–42), 8192 columns with 12 (Q4_K 44–46, Q6_K 39–41; 16: 40–41 and 32–34; 8: 42–44 and 34–37).
    /// </summary>
    private static int TokensPerTile(int blocks) =>
        (long)blocks * AlignedActivations.Q8KSlotBytes * TileTokens <= 48 * 1024 ? TileTokens : 12;

    /// <summary>
    /// y[t·<paramref name="yStride"/> + r] = dot(W[r], x[t]) for rows [start, end) and <paramref name="tokens"/> activation
    /// rows (a prompt, a decode step of several sequences). One token takes
    /// <see cref="Run"/>; more go by up to <see cref="TileTokens"/>, each super-block of a row unpacked once
    /// (<see cref="IKRowFormat256.Decode"/>) for all of them and its runs met by four tokens at a time (then two, then one). Each (row, token)
    /// sees <see cref="Row"/>'s operations (the same integer lanes, scale products and multiply-adds): bit-identical.
    /// </summary>
    /// <remarks><paramref name="aligned"/> holds the activation rows as <see cref="AlignedActivations.CopyQ8K"/> lays them out.</remarks>
    public static void RunTokens(byte* w, int rowBytes, int start, int end, int blocks, byte* aligned, int tokens, float* y, int yStride)
    {
        int actRowBytes = AlignedActivations.Q8KRowBytes(blocks);
        byte* act = aligned + AlignedActivations.Q8KOffset;
        int tile = TokensPerTile(blocks);
        int tokenBlock = CacheBlocking.TokenBlock(actRowBytes, tile, CacheBlocking.KTokenBlockBytes);
        int panelRows = CacheBlocking.PanelRows(rowBytes);
        for (int block = 0; block < tokens; block += tokenBlock)
        {
            int blockEnd = Math.Min(tokens, block + tokenBlock);
            for (int panel = start; panel < end; panel += panelRows)
            {
                int panelEnd = Math.Min(end, panel + panelRows);
                for (int t = block; t < blockEnd; t += tile)
                    TileRows(w, rowBytes, panel, panelEnd, blocks, act + (long)t * actRowBytes, actRowBytes,
                        Math.Min(tile, blockEnd - t), y + (long)t * yStride, yStride);
            }
        }
    }

    /// <summary>Rows [start, end) × <paramref name="n"/> tokens from <paramref name="x"/> (one token: <see cref="Run"/>'s row groups).</summary>
    private static void TileRows(byte* w, int rowBytes, int start, int end, int blocks, byte* x, int actRowBytes, int n,
        float* yt, int yStride)
    {
        if (n == 1)
        {
            Run(w, rowBytes, start, end, blocks, x, AlignedActivations.Q8KSlotBytes, yt);
            return;
        }
        for (int r = start; r < end; r++)
            RowTokens(w + (long)r * rowBytes, blocks, x, actRowBytes, n, yt + r, yStride);
    }

    /// <summary>One row × <paramref name="tokens"/> (2 … <see cref="TileTokens"/>) tokens; the accumulators live on the stack.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowTokens(byte* row, int blocks, byte* act, int actRowBytes, int tokens, float* y, int yStride)
    {
        KDecoded256 decoded;
        Vector256<float>* acc = stackalloc Vector256<float>[TileTokens];
        for (int t = 0; t < tokens; t++)
            acc[t] = default;
        float* table = HalfTable.Entries; // once: this method is fully optimized at once, so the JIT checks the class on each read
        for (int b = 0; b < blocks; b++)
        {
            byte* block = row + (long)b * TFormat.BlockBytes, x = act + (long)b * AlignedActivations.Q8KSlotBytes;
            TFormat.Decode(block, &decoded);
            // d and −dmin once per super-block; each token multiplies them by its scale ((−dmin)·dy is −(dmin·dy)
            // exactly, so the products equal Row's).
            uint word = TFormat.ScaleWord(block);
            Vector256<float> d = Vector256.Create(table[(ushort)word]);
            Vector256<float> m = Vector256.Create(-table[word >> 16]);
            int t = 0;
            for (; t + 4 <= tokens; t += 4)
                TokenQuad(&decoded, x + (long)t * actRowBytes, actRowBytes, d, m, acc + t);
            for (; t + 2 <= tokens; t += 2)
                TokenPair(&decoded, x + (long)t * actRowBytes, actRowBytes, d, m, acc + t);
            if (t < tokens)
            {
                byte* xt = x + (long)t * actRowBytes;
                acc[t] = TokenStep(&decoded, xt, KDecoded256.ScaledSums(&decoded, xt + BlockQ8K.QsOffset), d, m, acc[t]);
            }
        }
        for (int t = 0; t < tokens; t++)
            y[(long)t * yStride] = Vector256.Sum(acc[t]);
    }

    /// <summary>Four consecutive tokens (activation rows <paramref name="actRowBytes"/> apart from <paramref name="x"/>) against a decoded super-block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TokenQuad(KDecoded256* decoded, byte* x, int actRowBytes, Vector256<float> d, Vector256<float> m, Vector256<float>* acc)
    {
        KDecoded256.ScaledSums(decoded, x + BlockQ8K.QsOffset, actRowBytes, out Vector256<int> s0, out Vector256<int> s1,
            out Vector256<int> s2, out Vector256<int> s3);
        acc[0] = TokenStep(decoded, x, s0, d, m, acc[0]);
        acc[1] = TokenStep(decoded, x + actRowBytes, s1, d, m, acc[1]);
        acc[2] = TokenStep(decoded, x + 2 * actRowBytes, s2, d, m, acc[2]);
        acc[3] = TokenStep(decoded, x + 3 * actRowBytes, s3, d, m, acc[3]);
    }

    /// <summary>Two consecutive tokens (activation rows at <paramref name="x"/> and x + <paramref name="actRowBytes"/>) against a decoded super-block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TokenPair(KDecoded256* decoded, byte* x, int actRowBytes, Vector256<float> d, Vector256<float> m, Vector256<float>* acc)
    {
        byte* x1 = x + actRowBytes;
        KDecoded256.ScaledSums(decoded, x + BlockQ8K.QsOffset, x1 + BlockQ8K.QsOffset, out Vector256<int> s0, out Vector256<int> s1);
        acc[0] = TokenStep(decoded, x, s0, d, m, acc[0]);
        acc[1] = TokenStep(decoded, x1, s1, d, m, acc[1]);
    }

    /// <summary><see cref="Step"/> for a decoded super-block, one token's activation block and its scaled run sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> TokenStep(KDecoded256* decoded, byte* x, Vector256<int> scaled, Vector256<float> d, Vector256<float> m, Vector256<float> acc)
    {
        Vector256<float> dy = Vector256.Create(*(float*)x);
        acc = Vector256.MultiplyAddEstimate(Avx.ConvertToVector256Single(TFormat.CompleteSums(decoded, x, scaled)), d * dy, acc);
        if (TFormat.HasMins)
            acc = Vector256.MultiplyAddEstimate(Avx.ConvertToVector256Single(TFormat.TokenMinSums(decoded, x)), m * dy, acc);
        return acc;
    }

    /// <summary>One row's dot product (and <see cref="VecDot.Dot"/>'s 256-bit path for these types).</summary>
    public static float Row(byte* w, int blocks, byte* act) => Row(w, blocks, act, ActivationBytes);

    /// <summary><see cref="Row"/> with the activation blocks <paramref name="blockStride"/> bytes apart.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Row(byte* w, int blocks, byte* act, int blockStride)
    {
        Vector256<float> a = default;
        byte* block = w, x = act;
        for (int b = 0; b < blocks; b++, block += TFormat.BlockBytes, x += blockStride)
        {
            // Hints: past the matrix's end they are dropped, never fault. (Constant offsets from the block, so each is
            // one instruction; the JIT spent a lea per prefetch on offsets from a pointer.)
            Sse.Prefetch0(block + PrefetchDistance);
            Sse.Prefetch0(block + (PrefetchDistance + 64));
            Sse.Prefetch0(block + (PrefetchDistance + 128));
            if (TFormat.BlockBytes > 192)
                Sse.Prefetch0(block + (PrefetchDistance + 192));
            // d and dmin from the table, each times the activation's scale as scalars: the vector widening of the
            // scale word and the broadcasts of its lanes were ~25 of the ~130 instructions per Q4_K super-block.
            uint word = TFormat.ScaleWord(block);
            float dy = *(float*)x;
            a = Vector256.MultiplyAddEstimate(Avx.ConvertToVector256Single(TFormat.Sums(block, x)),
                Vector256.Create(HalfTable.ToSingle((ushort)word) * dy), a);
            if (TFormat.HasMins)
                a = Vector256.MultiplyAddEstimate(Avx.ConvertToVector256Single(TFormat.MinSums(block, x)),
                    Vector256.Create(-(HalfTable.ToSingle((ushort)(word >> 16)) * dy)), a);
        }
        return Vector256.Sum(a);
    }

    /// <summary>
    /// How far ahead of the super-block being read <see cref="Row"/> requests the weights (each super-block's lines).
    /// The hardware prefetchers alone left the kernels well short of their in-cache speed from memory; with this
    /// (Zen 3, one thread, 256 MiB of matrices, <c>matvec 1 256 8192x2048,2048x8192 Q4_K,Q6_K</c>): Q6_K 10.6–12.1 →
    /// 14.5–15.6 GB/s, Q4_K 9.8–11.8 → 12.6–13.5 (1 KiB and 2 KiB ahead did about as well, 512 bytes less).
    /// </summary>
    private const int PrefetchDistance = 4096;
}
