using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// Prompt batches (many tokens) against weights stored as 32-element blocks with one fp16 scale (Q4_0, Q8_0),
/// with AVX-512: a register tile of 4 weight rows × 4 tokens (16 accumulators), so each unpacked weight block pair is
/// loaded once for four tokens and each activation pair once for four rows.
/// <para>
/// Per (row, token) it computes exactly what <see cref="VecDot.Dot"/> computes on the AVX-512 path: the same
/// int32 partial sums per block pair, the same scale products (fp32 dw·dx, here formed by one vector multiply of
/// per-row and per-token scale vectors instead of two scalar ones), the same FMA into one 16-lane accumulator in
/// block order, and the same final <see cref="Vector512.Sum{T}"/> — so results are bit-identical and do not
/// depend on the tile, the batch or the thread count.
/// </para>
/// <para>
/// The activations are prepared once per call (<see cref="Prepare"/>): per (token, pair) 192 bytes holding the
/// 64 quants, the format's <see cref="IQ8TileFormat{TUnpacked}.Companion"/> and the 16 scale lanes; tokens are
/// padded to a multiple of 4 with zeros and interleaved by fours so a tile streams one contiguous run. Rows are taken in
/// panels and tokens in blocks that both stay in L2 (<see cref="Run"/>); a panel's weights are unpacked and their scales
/// widened once, into per-worker scratch.
/// </para>
/// <para>
/// The tile's inner loop is six instructions per (row, token, pair) — two int8 multiply-adds and the companion subtraction
/// or sign move, the int → float conversion, the scale product and the FMA — plus loads: the panel's unpacked weights
/// (shared by four tokens) and the prepared activations (shared by four rows). The 16 accumulators, the 4 weight pairs
/// and the 4 weight scale vectors stay in the 32 zmm registers (Q8_0's pairs take two each, so one accumulator lives on
/// the stack); nothing in the loop branches or calls (either made the JIT spill twelve accumulators to the stack every
/// pair, which cost about half the kernel's speed).
/// </para>
/// <para>
/// The kernel methods are <see cref="MethodImplOptions.AggressiveOptimization"/>: tests then run the same fully optimised
/// code as a long prompt does (a tier-0 build of the same source once hid a wrong optimised one).
/// </para>
/// </summary>
internal static unsafe class MatMulQ8Tiles<TFormat, TUnpacked>
    where TFormat : struct, IQ8TileFormat<TUnpacked>
    where TUnpacked : unmanaged
{
    private const int TileRows = 4;
    private const int TileTokens = 4;
    private const int PairBytes = 192;              // 64 quants + 64 companion + 16 float scales
    private const int ActivationBlockBytes = 34;    // Q8_0: fp16 d + 32 int8
    private const int TokenBlockBytes = 256 * 1024; // prepared activations kept per token block (a quarter of the L2)
    private const int PanelBytes = 64 * 1024;       // packed weights per row panel (unpacked, about twice that)

    private static int WeightBlockBytes => TFormat.BlockBytes;

    /// <summary>True when this kernel can run (it reproduces the AVX-512 dot product, so only then).</summary>
    public static bool IsSupported => VecDotInt8.Use512;

    private static int Pairs(int blocks) => (blocks + 1) / 2;

    /// <summary>Bytes of <see cref="Prepare"/>'s output for this many tokens and blocks per row.</summary>
    public static long PreparedBytes(int tokens, int blocks) => (long)PaddedTokens(tokens) * Pairs(blocks) * PairBytes;

    /// <summary>Floats of per-worker scratch <see cref="Run"/> needs: one row panel's weight scales and unpacked weights.</summary>
    public static int ScratchFloats(int blocks) =>
        16 + PanelRows(blocks) * (ScaleStride(blocks) + Pairs(blocks) * Unsafe.SizeOf<TUnpacked>() / sizeof(float));

    /// <summary>Tokens <see cref="Prepare"/> lays out: <paramref name="tokens"/> padded to whole tiles (the padding is zeros).</summary>
    public static int PaddedTokens(int tokens) => (tokens + TileTokens - 1) / TileTokens * TileTokens;

    /// <summary>
    /// Lays out Q8_0 activation rows (<paramref name="tokens"/> rows of <paramref name="actRowBytes"/>) for <see cref="Run"/>:
    /// the padded tokens [<paramref name="first"/>, <paramref name="last"/>), so that workers can share the job.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Prepare(byte* acts, int actRowBytes, int tokens, int blocks, byte* prepared, int first, int last)
    {
        int pairs = Pairs(blocks);
        for (int t = first; t < last; t++)
        {
            byte* x = acts + (long)t * actRowBytes;
            for (int p = 0; p < pairs; p++)
            {
                byte* o = prepared + PairOffset(t, p, pairs);
                if (t >= tokens)
                {
                    new Span<byte>(o, PairBytes).Clear();
                    continue;
                }
                int b = 2 * p;
                bool full = b + 1 < blocks;
                Vector256<byte> high = full ? Vector256.Load(x + (b + 1) * ActivationBlockBytes + 2) : default;
                var y = Vector512.Create(Vector256.Load(x + b * ActivationBlockBytes + 2), high).AsSByte();
                y.Store((sbyte*)o);
                TFormat.Companion(y).Store((sbyte*)(o + 64));
                float low = HalfConvert.HalfToSingle(Unsafe.ReadUnaligned<ushort>(x + b * ActivationBlockBytes));
                float hi = full ? HalfConvert.HalfToSingle(Unsafe.ReadUnaligned<ushort>(x + (b + 1) * ActivationBlockBytes)) : 0f;
                Vector512.Create(Vector256.Create(low), Vector256.Create(hi)).Store((float*)(o + 128));
            }
        }
    }

    /// <summary>Token t's pair p: tokens interleaved by fours, so one tile's four tokens are adjacent per pair.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long PairOffset(int t, int p, int pairs) =>
        (((long)(t / TileTokens) * pairs + p) * TileTokens + t % TileTokens) * PairBytes;

    /// <summary>
    /// y[t·yStride + r] = dot(W[r], x[t]) for rows [start, end) and every token, from <see cref="Prepare"/>'s
    /// output. <paramref name="scratch"/> holds <see cref="ScratchFloats"/> floats.
    /// <para>
    /// Rows are taken in panels of about <see cref="PanelBytes"/> of weights, tokens in blocks of about
    /// <see cref="TokenBlockBytes"/> of prepared activations: a panel's weights and a token block's activations both stay
    /// in L2 while every tile of the two is computed, so each weight is read from memory once. A panel's block scales are
    /// widened and its weights unpacked once, into the scratch, for all its token tiles (unpacking them per tile cost
    /// five instructions per row and pair, shared by only four tokens).
    /// </para>
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(byte* w, int rowBytes, int start, int end, int blocks, byte* prepared, int tokens,
        float* y, int yStride, float* scratch)
    {
        int pairs = Pairs(blocks), padded = PaddedTokens(tokens), stride = ScaleStride(blocks), panelRows = PanelRows(blocks);
        int tokenBlock = Math.Max(TileTokens, TokenBlockBytes / (pairs * PairBytes) / TileTokens * TileTokens);
        float* scales = (float*)(((nint)scratch + 63) & ~(nint)63);      // (panelRows, stride), 64-byte aligned
        TUnpacked* unpacked = (TUnpacked*)(scales + panelRows * stride); // (panelRows, pairs)
        for (int panel = start; panel < end; panel += panelRows)
        {
            int panelEnd = Math.Min(end, panel + panelRows);
            for (int r = panel; r < panelEnd; r++)
            {
                WeightScales(w + (long)r * rowBytes, blocks, scales + (r - panel) * stride);
                Unpack(w + (long)r * rowBytes, blocks, pairs, unpacked + (r - panel) * pairs);
            }
            for (int tb = 0; tb < padded; tb += tokenBlock)
            {
                int tbEnd = Math.Min(padded, tb + tokenBlock);
                for (int g = panel; g < panelEnd; g += TileRows)
                {
                    // A short last tile repeats the panel's last row (read, never stored) rather than needing its own kernel.
                    int i0 = g - panel, i1 = Math.Min(g + 1, panelEnd - 1) - panel;
                    int i2 = Math.Min(g + 2, panelEnd - 1) - panel, i3 = Math.Min(g + 3, panelEnd - 1) - panel;
                    int rowCount = Math.Min(TileRows, panelEnd - g);
                    for (int t = tb; t < tbEnd; t += TileTokens)
                        Tile(unpacked + i0 * pairs, unpacked + i1 * pairs, unpacked + i2 * pairs, unpacked + i3 * pairs,
                            scales + i0 * stride, scales + i1 * stride, scales + i2 * stride, scales + i3 * stride,
                            prepared + PairOffset(t, 0, pairs), pairs, y + (long)t * yStride + g, yStride, rowCount,
                            Math.Min(TileTokens, tokens - t));
                }
            }
        }
    }

    /// <summary>Rows per panel: about <see cref="PanelBytes"/> of weights, a multiple of the tile's rows.</summary>
    private static int PanelRows(int blocks) => Math.Max(TileRows, PanelBytes / (blocks * WeightBlockBytes) / TileRows * TileRows);

    /// <summary>
    /// Floats per row of weight scales in the scratch: one per block, written sixteen at a time, then a vector of zeros
    /// (a lone last block's partner, and room for <see cref="PairScales"/>' 16-float read at any pair).
    /// </summary>
    internal static int ScaleStride(int blocks) => (blocks + 15) / 16 * 16 + 16;

    /// <summary>
    /// The row's block scales as floats, one per block, followed by zeros (a lone last block's partner must have scale 0,
    /// as in <see cref="VecDot.Dot"/>). The fp16 scales sit 18 or 34 bytes apart: sixteen are picked out of the row with
    /// byte permutes (gathers are slow on AMD) and widened in one vector pass; a last partial sixteen is read one by one.
    /// This is the first read of a panel's weights, so in a profile it also carries their trip from memory.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void WeightScales(byte* row, int blocks, float* o)
    {
        int b = 0;
        for (; b + 16 <= blocks; b += 16)
            HalfConvert.HalfToSingle(TFormat.ScaleHalves(row + (long)b * WeightBlockBytes)).Store(o + b);
        Vector512<float>.Zero.Store(o + b);
        for (; b < blocks; b++)
            o[b] = HalfConvert.HalfToSingle(Unsafe.ReadUnaligned<ushort>(row + (long)b * WeightBlockBytes));
    }

    /// <summary>
    /// The row's block pairs unpacked, one <typeparamref name="TUnpacked"/> per pair. A lone last block is unpacked as a
    /// pair whose second block is the first again: the prepared activation's high half and its companion are zero there,
    /// so the high sums are 0, and its weight scale lane is 0, as in VecDot.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Unpack(byte* row, int blocks, int pairs, TUnpacked* o)
    {
        for (int p = 0; p < pairs; p++)
        {
            long first = 2L * p * WeightBlockBytes + 2, second = (long)Math.Min(2 * p + 1, blocks - 1) * WeightBlockBytes + 2;
            o[p] = TFormat.Pair(row + first, row + second);
        }
    }

    /// <summary>Block 2p's weight scale in lanes 0–7 and block 2p + 1's in lanes 8–15 (reads 16 floats).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> PairScales(float* rowScales, int p) =>
        Avx512F.PermuteVar16x32(Vector512.Load(rowScales + 2 * p), Vector512.Create(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1));

    /// <summary>acc + (Σ per four elements, as float)·(dw·dx): one (row, token, pair) step, as VecDot's Accumulate.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Step(Vector512<float> acc, TUnpacked q, Vector512<sbyte> x, Vector512<sbyte> c, Vector512<float> dx, Vector512<float> dw) =>
        Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(TFormat.TileSums(q, x, c)), dw * dx, acc);

    /// <summary>
    /// 4 rows (their unpacked weights <paramref name="u0"/>…, scales <paramref name="s0"/>…) × 4 tokens over all pairs;
    /// stores the <paramref name="rowCount"/> × <paramref name="tokenCount"/> real outputs. Nothing in the loop calls out
    /// (a call would make the JIT keep the accumulators on the stack).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(TUnpacked* u0, TUnpacked* u1, TUnpacked* u2, TUnpacked* u3, float* s0, float* s1, float* s2, float* s3,
        byte* act, int pairs, float* y, int yStride, int rowCount, int tokenCount)
    {
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
        for (int p = 0; p < pairs; p++, act += TileTokens * PairBytes)
        {
            TUnpacked q0 = u0[p], q1 = u1[p], q2 = u2[p], q3 = u3[p];
            Vector512<float> w0 = PairScales(s0, p), w1 = PairScales(s1, p), w2 = PairScales(s2, p), w3 = PairScales(s3, p);
            byte* xt = act;
            var x = Vector512.Load((sbyte*)xt); var c = Vector512.Load((sbyte*)(xt + 64)); var d = Vector512.Load((float*)(xt + 128));
            a00 = Step(a00, q0, x, c, d, w0); a10 = Step(a10, q1, x, c, d, w1); a20 = Step(a20, q2, x, c, d, w2); a30 = Step(a30, q3, x, c, d, w3);
            xt += PairBytes;
            x = Vector512.Load((sbyte*)xt); c = Vector512.Load((sbyte*)(xt + 64)); d = Vector512.Load((float*)(xt + 128));
            a01 = Step(a01, q0, x, c, d, w0); a11 = Step(a11, q1, x, c, d, w1); a21 = Step(a21, q2, x, c, d, w2); a31 = Step(a31, q3, x, c, d, w3);
            xt += PairBytes;
            x = Vector512.Load((sbyte*)xt); c = Vector512.Load((sbyte*)(xt + 64)); d = Vector512.Load((float*)(xt + 128));
            a02 = Step(a02, q0, x, c, d, w0); a12 = Step(a12, q1, x, c, d, w1); a22 = Step(a22, q2, x, c, d, w2); a32 = Step(a32, q3, x, c, d, w3);
            xt += PairBytes;
            x = Vector512.Load((sbyte*)xt); c = Vector512.Load((sbyte*)(xt + 64)); d = Vector512.Load((float*)(xt + 128));
            a03 = Step(a03, q0, x, c, d, w0); a13 = Step(a13, q1, x, c, d, w1); a23 = Step(a23, q2, x, c, d, w2); a33 = Step(a33, q3, x, c, d, w3);
        }
        Store(y, yStride, rowCount, tokenCount, 0, a00, a10, a20, a30);
        Store(y, yStride, rowCount, tokenCount, 1, a01, a11, a21, a31);
        Store(y, yStride, rowCount, tokenCount, 2, a02, a12, a22, a32);
        Store(y, yStride, rowCount, tokenCount, 3, a03, a13, a23, a33);
    }

    /// <summary>Token <paramref name="t"/>'s outputs for the tile's real rows (padding tokens and repeated rows are dropped).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* y, int yStride, int rowCount, int tokenCount, int t,
        Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3)
    {
        if (t >= tokenCount)
            return;
        Vector128<float> sums = Sum4(a0, a1, a2, a3);
        float* o = y + (long)t * yStride;
        if (rowCount == TileRows)
        {
            sums.Store(o);
            return;
        }
        for (int i = 0; i < rowCount; i++)
            o[i] = sums.GetElement(i);
    }

    /// <summary>
    /// [Σa0, Σa1, Σa2, Σa3], each exactly <see cref="Q8RowHelpers.Sum"/> (so <see cref="Vector512.Sum{T}"/>): per 128-bit
    /// quarter (l0 + l1) + (l2 + l3), then (q0 + q1) + (q2 + q3). The four reductions share their shuffles: the pair sums
    /// are formed two vectors at a time and the quarter sums of all four land in one quarter, so the quarter steps run
    /// once for all four (13 instructions instead of 32).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Sum4(Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3)
    {
        // Per quarter: [a0.l0 + a0.l1, a0.l2 + a0.l3, a1.l0 + a1.l1, a1.l2 + a1.l3], and the same for a2, a3.
        Vector512<float> s01 = Avx512F.Shuffle(a0, a1, 0b10_00_10_00) + Avx512F.Shuffle(a0, a1, 0b11_01_11_01);
        Vector512<float> s23 = Avx512F.Shuffle(a2, a3, 0b10_00_10_00) + Avx512F.Shuffle(a2, a3, 0b11_01_11_01);
        // Per quarter k: [q_k(a0), q_k(a1), q_k(a2), q_k(a3)].
        Vector512<float> q = Avx512F.Shuffle(s01, s23, 0b10_00_10_00) + Avx512F.Shuffle(s01, s23, 0b11_01_11_01);
        q += Avx512F.Shuffle4x128(q, q, 0b10_11_00_01);   // q0 + q1, q2 + q3
        q += Avx512F.Shuffle4x128(q, q, 0b01_00_11_10);   // (q0 + q1) + (q2 + q3)
        return q.GetLower().GetLower();
    }
}
