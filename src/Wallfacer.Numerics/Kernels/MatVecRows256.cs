using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// One activation row × 32-element-block weights with one fp16 scale (Q5_0, Q8_0; Q4_0 has
/// <see cref="MatVecQ4_0Pairs256"/>) with AVX2, fused multiply-adds where FMA is present: the machines without AVX-512
/// (AMD Zen 2/3, Intel before Ice Lake and the E-core parts). Decode streams every weight once, so the kernel keeps the
/// per-byte work small: four rows advance together through the blocks (four independent accumulator chains; the
/// activation block is loaded and prepared once for the four); each block's weight scale comes from
/// <see cref="HalfTable"/> (.NET has no F16C intrinsic), times the activation scale, broadcast; the rows two groups
/// ahead are prefetched in software. <see cref="Row"/> widens the scales of eight blocks in one vector step instead
/// (<see cref="ScaleHalves256"/>), and the token tiles read them so widened once per panel of rows
/// (<see cref="TokenTiles{TKernel}"/>) — the same exact values. A row's value is the same sequence of operations alone
/// (<see cref="Row"/>, which is <see cref="VecDot.Dot"/>'s 256-bit path for these types), in a group, or in a tile of
/// tokens (<see cref="RunTokens"/>), so results are bit-identical to it. Where a format lays rows out differently
/// (<see cref="Q8_0GroupedRows256"/>: four rows' blocks side by side), the one-token kernel walks that layout and the
/// token tiles read a row-major copy of each panel.
/// </summary>
internal static unsafe class MatVecRows256<TFormat, TActivation>
    where TFormat : struct, IBlockRowFormat256<TActivation>
    where TActivation : struct
{
    private const int Chunk = 8; // blocks whose scales share one vector

    /// <summary>True when this code runs here (the 256-bit dot product of these types is this kernel's one-row case).</summary>
    public static bool CanRun => Avx2.IsSupported;

    /// <summary>
    /// y[r] = dot(W[r], x) for rows [start, end). <paramref name="dx"/> holds the activation block scales as floats,
    /// followed by at least <see cref="Chunk"/> zeros.
    /// </summary>
    public static void Run(byte* w, int rowBytes, int start, int end, int blocks, byte* act, float* dx, float* y)
    {
        int r = start;
        // Groups start at multiples of four rows: in the grouped layout (Q8_0Grouped) those four share their cache lines.
        for (; r < end && r % 4 != 0; r++)
            y[r] = Row(w + TFormat.RowOffset(r, rowBytes), blocks, act, dx);
        for (; r + 4 <= end; r += 4)
            Rows4(w + TFormat.RowOffset(r, rowBytes), rowBytes, blocks, act, dx, y + r);
        for (; r < end; r++)
            y[r] = Row(w + TFormat.RowOffset(r, rowBytes), blocks, act, dx);
    }

    /// <summary>Most tokens that share one unpacking of a weight block in <see cref="RunTokens"/>.</summary>
    private const int TileTokens = TokenTiles<Tile>.TileTokens;

    /// <summary>
    /// y[t·<paramref name="yStride"/> + r] = dot(W[r], x[t]) for rows [start, end) and <paramref name="tokens"/> activation
    /// rows given as their values (<paramref name="values"/>, laid out by <see cref="AlignedActivations.CopyQ8_0Values"/>) and block scales as
    /// floats (token t's at <paramref name="dx"/> + t·<paramref name="dxStride"/>). Tokens go by up to
    /// <see cref="TileTokens"/> per row, each weight block unpacked once for all of them and the weight scales widened once
    /// per panel of rows for all the tiles (with one token at a time, the scales alone cost a third of the work). Each (row, token) sees
    /// <see cref="Row"/>'s operations: bit-identical.
    /// </summary>
    public static void RunTokens(byte* w, int rowBytes, int start, int end, int blocks, byte* values, float* dx, int dxStride,
        int tokens, float* y, int yStride)
    {
        TokenTiles<Tile>.Run(w, rowBytes, start, end, blocks, values, dx, dxStride, tokens, y, yStride);
    }

    /// <summary>This kernel's tile, for <see cref="TokenTiles{TKernel}"/>.</summary>
    private readonly struct Tile : IRowTokens
    {
        public static void RowTokens<TTokens>(byte* row, float* dw, int blocks, byte* values, nint valueRowBytes, float* dx,
            nint dxStride, float* y, nint yStride)
            where TTokens : struct, ITokenCount =>
            MatVecRows256<TFormat, TActivation>.RowTokens<TTokens>(row, dw, blocks, values, valueRowBytes, dx, dxStride, y, yStride);

        public static void WidenScales(byte* row, int blocks, float* into) => MatVecRows256<TFormat, TActivation>.WidenScales(row, blocks, into);

        public static byte* Panel(byte* w, int rowBytes, int first, int end) => TFormat.RowMajor(w, rowBytes, first, end);
    }

    /// <summary>The row's block scales as floats, chunk by chunk as <see cref="Row"/> widens them (zeros past the last block).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WidenScales(byte* row, int blocks, float* into)
    {
        for (int c = 0; c < blocks; c += Chunk)
            HalfConvert.HalfToSingle(ScaleHalves256.Load(row + (long)c * TFormat.BlockBytes, Math.Min(Chunk, blocks - c), TFormat.BlockBytes))
                .Store(into + c);
    }

    /// <summary>
    /// One row × <typeparamref name="TTokens"/> tokens, its block scales widened in <paramref name="dw"/>; the code for
    /// absent tokens is removed by the JIT. Strides are
    /// native integers and the block loop walks pointers: with int indexes the JIT sign-extended and re-added them for
    /// every block and token.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowTokens<TTokens>(byte* row, float* dw, int blocks, byte* values, nint valueRowBytes, float* dx,
        nint dxStride, float* y, nint yStride)
        where TTokens : struct, ITokenCount
    {
        int n = TTokens.Value;
        float* sc = stackalloc float[TileTokens * Chunk]; // per token, the chunk's scale products
        nint v3 = 3 * valueRowBytes;
        byte* values4 = values + 4 * valueRowBytes; // tokens 4–7 address from here with the same offsets
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int c = 0; c < blocks; c += Chunk)
        {
            int count = Math.Min(Chunk, blocks - c);
            byte* p = row + (long)c * TFormat.BlockBytes, x = values + 32L * c, x4 = values4 + 32L * c, last = x + 32L * count;
            float* d = dx + c;
            Vector256<float> sw = Vector256.Load(dw + c);
            (sw * Vector256.Load(d)).Store(sc);
            if (n > 1) (sw * Vector256.Load(d + dxStride)).Store(sc + Chunk);
            if (n > 2) (sw * Vector256.Load(d + 2 * dxStride)).Store(sc + 2 * Chunk);
            if (n > 3) (sw * Vector256.Load(d + 3 * dxStride)).Store(sc + 3 * Chunk);
            if (n > 4) (sw * Vector256.Load(d + 4 * dxStride)).Store(sc + 4 * Chunk);
            if (n > 5) (sw * Vector256.Load(d + 5 * dxStride)).Store(sc + 5 * Chunk);
            if (n > 6) (sw * Vector256.Load(d + 6 * dxStride)).Store(sc + 6 * Chunk);
            if (n > 7) (sw * Vector256.Load(d + 7 * dxStride)).Store(sc + 7 * Chunk);
            for (float* s = sc; x < last; x += 32, x4 += 32, p += TFormat.BlockBytes, s++)
            {
                BlockLevels256 levels = TFormat.Decode(p);
                a0 = TokenStep(levels, x, s[0], a0);
                if (n > 1) a1 = TokenStep(levels, x + valueRowBytes, s[Chunk], a1);
                if (n > 2) a2 = TokenStep(levels, x + 2 * valueRowBytes, s[2 * Chunk], a2);
                if (n > 3) a3 = TokenStep(levels, x + v3, s[3 * Chunk], a3);
                if (n > 4) a4 = TokenStep(levels, x4, s[4 * Chunk], a4);
                if (n > 5) a5 = TokenStep(levels, x4 + valueRowBytes, s[5 * Chunk], a5);
                if (n > 6) a6 = TokenStep(levels, x4 + 2 * valueRowBytes, s[6 * Chunk], a6);
                if (n > 7) a7 = TokenStep(levels, x4 + v3, s[7 * Chunk], a7);
            }
        }
        AccumulatorSums.Store<TTokens>(a0, a1, a2, a3, a4, a5, a6, a7, y, yStride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> TokenStep(in BlockLevels256 levels, byte* values, float scale, Vector256<float> acc) =>
        Vector256.MultiplyAddEstimate(Avx.ConvertToVector256Single(TFormat.Sums(levels, TFormat.ActivationValues(values))), Vector256.Create(scale), acc);

    /// <summary>
    /// One row's dot product, the same steps per row as <see cref="Rows4"/>. Without <paramref name="dx"/> the
    /// activation scales are converted here from the activation blocks (the same exact values).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static float Row(byte* w, int blocks, byte* act, float* dx)
    {
        Vector256<float> a = default;
        for (int c = 0; c < blocks; c += Chunk)
        {
            int count = Math.Min(Chunk, blocks - c);
            byte* p = w + (long)c * TFormat.BlockStride, x = act + (long)c * BlockQ8_0.BlockBytes;
            Vector256<float> sx = dx != null ? Vector256.Load(dx + c) : HalfConvert.HalfToSingle(ScaleHalves256.Load(x, count, BlockQ8_0.BlockBytes));
            Vector256<float> s = HalfConvert.HalfToSingle(ScaleHalves256.Load(p, count, TFormat.BlockStride)) * sx;
            Vector256<int> pick = Vector256<int>.Zero;
            for (int b = 0; b < count; b++, p += TFormat.BlockStride, x += BlockQ8_0.BlockBytes, pick += Vector256<int>.One)
                a = Vector256.MultiplyAddEstimate(Avx.ConvertToVector256Single(TFormat.Sums(p, TFormat.Activation(x))), Avx2.PermuteVar8x32(s, pick), a);
        }
        return Vector256.Sum(a);
    }

    private const int GroupedPrefetchBytes = 2048;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Rows4(byte* r0, int rowBytes, int blocks, byte* act, float* dx, float* y)
    {
        // The four rows' distances from the first: whole rows in the file's layout, one block grouped.
        nint row1 = (nint)TFormat.RowOffset(1, rowBytes), row2 = 2 * row1, row3 = 3 * row1;
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        float* table = HalfTable.Entries;
        // Each chunk consumes 8 blocks of 4 rows here and requests as many bytes ahead: in the file's layout the band of
        // rows two groups ahead (the hardware prefetchers lose four interleaved row streams at page boundaries); grouped,
        // the one stream 2 KiB ahead, about a memory latency's worth at this kernel's rate (over Llama-3.2-1B's matrices
        // the grouped kernel read ×1.10–1.15 the file layout's bytes per second so, ×1.06 two groups — 17–70 KiB — ahead).
        byte* ahead = r0 + (TFormat.GroupRows == 1 ? 8L * rowBytes : GroupedPrefetchBytes);
        int chunkBytes = 4 * Chunk * TFormat.BlockBytes;
        byte* p = r0, x = act;
        for (int b = 0; b < blocks; b++, p += TFormat.BlockStride, x += BlockQ8_0.BlockBytes)
        {
            if (b % Chunk == 0)
            {
                byte* next = ahead + 4L * b * TFormat.BlockBytes;
                for (int o = 0; o < chunkBytes; o += 64)
                    Sse.Prefetch0(next + o);
            }
            // Each block's scale product dw·dx from the fp16 table: four scalar steps per row and block, against
            // widening eight at a time (eight scalar loads and inserts, then a dozen vector instructions) — the same
            // products.
            float sx = dx[b];
            TActivation xa = TFormat.Activation(x);
            a0 = Vector256.MultiplyAddEstimate(Avx.ConvertToVector256Single(TFormat.Sums(p, xa)), Vector256.Create(table[*(ushort*)p] * sx), a0);
            a1 = Vector256.MultiplyAddEstimate(Avx.ConvertToVector256Single(TFormat.Sums(p + row1, xa)), Vector256.Create(table[*(ushort*)(p + row1)] * sx), a1);
            a2 = Vector256.MultiplyAddEstimate(Avx.ConvertToVector256Single(TFormat.Sums(p + row2, xa)), Vector256.Create(table[*(ushort*)(p + row2)] * sx), a2);
            a3 = Vector256.MultiplyAddEstimate(Avx.ConvertToVector256Single(TFormat.Sums(p + row3, xa)), Vector256.Create(table[*(ushort*)(p + row3)] * sx), a3);
        }
        y[0] = Vector256.Sum(a0);
        y[1] = Vector256.Sum(a1);
        y[2] = Vector256.Sum(a2);
        y[3] = Vector256.Sum(a3);
    }
}
