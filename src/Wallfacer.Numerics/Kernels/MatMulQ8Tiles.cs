using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// Prompt batches (many tokens) against weights stored as 32-element blocks with one fp16 scale (Q4_0, Q8_0),
/// with AVX-512: a register tile of 4 weight rows × 4 tokens (16 accumulators), so each weight block pair is
/// unpacked once for four tokens and each activation pair is loaded once for four rows.
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
/// padded to a multiple of 4 with zeros and interleaved by fours so a tile streams one contiguous run. Tokens are
/// processed in blocks that keep their prepared activations in L2 while the weight rows stream past once per block.
/// </para>
/// <para>
/// The kernel methods are <see cref="MethodImplOptions.AggressiveOptimization"/>: tests then run the same fully optimised
/// code as a long prompt does (a tier-0 build of the same source once hid a wrong optimised one).
/// </para>
/// </summary>
internal static unsafe class MatMulQ8Tiles<TFormat, TUnpacked>
    where TFormat : struct, IQ8TileFormat<TUnpacked>
    where TUnpacked : struct
{
    private const int TileRows = 4;
    private const int TileTokens = 4;
    private const int PairBytes = 192;              // 64 quants + 64 companion + 16 float scales
    private const int ActivationBlockBytes = 34;    // Q8_0: fp16 d + 32 int8
    private const int TokenBlockBytes = 256 * 1024; // prepared activations kept per token block (half the shared L2)

    private static int WeightBlockBytes => TFormat.BlockBytes;

    /// <summary>True when this kernel can run (it reproduces the AVX-512 dot product, so only then).</summary>
    public static bool IsSupported => VecDotInt8.Use512;

    private static int Pairs(int blocks) => (blocks + 1) / 2;

    private static int PaddedTokens(int tokens) => (tokens + TileTokens - 1) / TileTokens * TileTokens;

    /// <summary>Bytes of <see cref="Prepare"/>'s output for this many tokens and blocks per row.</summary>
    public static long PreparedBytes(int tokens, int blocks) => (long)PaddedTokens(tokens) * Pairs(blocks) * PairBytes;

    /// <summary>Floats of per-worker scratch <see cref="Run"/> needs: the scale vectors of one row tile.</summary>
    public static int ScratchFloats(int blocks) => TileRows * Pairs(blocks) * 16;

    /// <summary>Lays out Q8_0 activation rows (<paramref name="tokens"/> rows of <paramref name="actRowBytes"/>) for <see cref="Run"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Prepare(byte* acts, int actRowBytes, int tokens, int blocks, byte* prepared)
    {
        int pairs = Pairs(blocks), padded = PaddedTokens(tokens);
        for (int t = 0; t < padded; t++)
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
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(byte* w, int rowBytes, int start, int end, int blocks, byte* prepared, int tokens,
        float* y, int yStride, float* scratch)
    {
        int pairs = Pairs(blocks), padded = PaddedTokens(tokens);
        int tokenBlock = Math.Max(TileTokens, TokenBlockBytes / (pairs * PairBytes) / TileTokens * TileTokens);
        byte** rows = stackalloc byte*[TileRows];
        for (int tb = 0; tb < padded; tb += tokenBlock)
        {
            int tbEnd = Math.Min(padded, tb + tokenBlock);
            for (int g = start; g < end; g += TileRows)
            {
                // A short last tile repeats row end − 1 (read, never stored) rather than needing its own kernel.
                for (int i = 0; i < TileRows; i++)
                    rows[i] = w + (long)Math.Min(g + i, end - 1) * rowBytes;
                WeightScales(rows, blocks, pairs, scratch);
                int rowCount = Math.Min(TileRows, end - g);
                for (int t = tb; t < tbEnd; t += TileTokens)
                    Tile(rows, scratch, prepared + PairOffset(t, 0, pairs), pairs, blocks,
                        y + (long)t * yStride + g, yStride, rowCount, Math.Min(TileTokens, tokens - t));
            }
        }
    }

    /// <summary>
    /// Per row of the tile and per pair, the 16 scale lanes (block 2p's dw ×8, block 2p+1's ×8; 0 past the end). The
    /// fp16 scales sit 18 or 34 bytes apart: they are gathered as bits and widened in one vectorised pass (converting
    /// them one by one cost a quarter of the kernel when a token block holds only 16 tokens).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightScales(byte** rows, int blocks, int pairs, float* scratch)
    {
        const int Chunk = 256;
        ushort* bits = stackalloc ushort[Chunk];
        float* d = stackalloc float[Chunk + 1];
        for (int i = 0; i < TileRows; i++)
        {
            float* o = scratch + i * pairs * 16;
            for (int first = 0; first < blocks; first += Chunk)
            {
                int count = Math.Min(Chunk, blocks - first);
                byte* p = rows[i] + (long)first * WeightBlockBytes;
                for (int b = 0; b < count; b++)
                    bits[b] = Unsafe.ReadUnaligned<ushort>(p + b * WeightBlockBytes);
                HalfConvert.HalfToSingle(new ReadOnlySpan<ushort>(bits, count), new Span<float>(d, count));
                d[count] = 0f; // a lone last block's partner
                for (int b = 0; b < count; b += 2)
                    Vector512.Create(Vector256.Create(d[b]), Vector256.Create(d[b + 1])).Store(o + (first + b) / 2 * 16);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TUnpacked Unpack(byte* row, int p, bool full) =>
        full ? TFormat.Pair(row + 2 * p * WeightBlockBytes + 2, row + (2 * p + 1) * WeightBlockBytes + 2)
             : TFormat.Last(row + 2 * p * WeightBlockBytes + 2);

    /// <summary>acc + (Σ per four elements, as float)·(dw·dx): one (row, token, pair) step, as VecDot's Accumulate.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Step(Vector512<float> acc, TUnpacked q, Vector512<sbyte> x, Vector512<sbyte> c, Vector512<float> dx, float* dw) =>
        Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(TFormat.TileSums(q, x, c)), dx * Vector512.Load(dw), acc);

    /// <summary>4 rows × 4 tokens over all pairs; stores the <paramref name="rowCount"/> × <paramref name="tokenCount"/> real outputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(byte** rows, float* scales, byte* act, int pairs, int blocks, float* y, int yStride, int rowCount, int tokenCount)
    {
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
        byte* r0 = rows[0], r1 = rows[1], r2 = rows[2], r3 = rows[3];
        float* s0 = scales, s1 = scales + pairs * 16, s2 = scales + 2 * pairs * 16, s3 = scales + 3 * pairs * 16;
        for (int p = 0; p < pairs; p++, act += TileTokens * PairBytes)
        {
            bool full = 2 * p + 1 < blocks;
            TUnpacked q0 = Unpack(r0, p, full), q1 = Unpack(r1, p, full), q2 = Unpack(r2, p, full), q3 = Unpack(r3, p, full);
            int o = p * 16;
            byte* xt = act;
            var x = Vector512.Load((sbyte*)xt); var c = Vector512.Load((sbyte*)(xt + 64)); var d = Vector512.Load((float*)(xt + 128));
            a00 = Step(a00, q0, x, c, d, s0 + o); a10 = Step(a10, q1, x, c, d, s1 + o); a20 = Step(a20, q2, x, c, d, s2 + o); a30 = Step(a30, q3, x, c, d, s3 + o);
            xt += PairBytes;
            x = Vector512.Load((sbyte*)xt); c = Vector512.Load((sbyte*)(xt + 64)); d = Vector512.Load((float*)(xt + 128));
            a01 = Step(a01, q0, x, c, d, s0 + o); a11 = Step(a11, q1, x, c, d, s1 + o); a21 = Step(a21, q2, x, c, d, s2 + o); a31 = Step(a31, q3, x, c, d, s3 + o);
            xt += PairBytes;
            x = Vector512.Load((sbyte*)xt); c = Vector512.Load((sbyte*)(xt + 64)); d = Vector512.Load((float*)(xt + 128));
            a02 = Step(a02, q0, x, c, d, s0 + o); a12 = Step(a12, q1, x, c, d, s1 + o); a22 = Step(a22, q2, x, c, d, s2 + o); a32 = Step(a32, q3, x, c, d, s3 + o);
            xt += PairBytes;
            x = Vector512.Load((sbyte*)xt); c = Vector512.Load((sbyte*)(xt + 64)); d = Vector512.Load((float*)(xt + 128));
            a03 = Step(a03, q0, x, c, d, s0 + o); a13 = Step(a13, q1, x, c, d, s1 + o); a23 = Step(a23, q2, x, c, d, s2 + o); a33 = Step(a33, q3, x, c, d, s3 + o);
        }
        Store(y, yStride, rowCount, tokenCount, 0, a00, a10, a20, a30);
        Store(y, yStride, rowCount, tokenCount, 1, a01, a11, a21, a31);
        Store(y, yStride, rowCount, tokenCount, 2, a02, a12, a22, a32);
        Store(y, yStride, rowCount, tokenCount, 3, a03, a13, a23, a33);
    }

    /// <summary>Token <paramref name="t"/>'s outputs for the tile's real rows (padding tokens and repeated rows are dropped).</summary>
    private static void Store(float* y, int yStride, int rowCount, int tokenCount, int t,
        Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3)
    {
        if (t >= tokenCount)
            return;
        float* o = y + (long)t * yStride;
        o[0] = Vector512.Sum(a0);
        if (rowCount > 1) o[1] = Vector512.Sum(a1);
        if (rowCount > 2) o[2] = Vector512.Sum(a2);
        if (rowCount > 3) o[3] = Vector512.Sum(a3);
    }
}
