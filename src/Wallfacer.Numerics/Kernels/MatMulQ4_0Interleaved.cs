using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// Interleaved Q4_0 weights (<see cref="Q4_0Interleaved"/>) × Q8_0 activations for any number of tokens — one (generation),
/// a decode step's few, or a prompt's many — with exact per-block sums (<see cref="Q4_0BlockDot"/>), so every token's
/// result is the same whatever it is batched with and whatever the thread count.
/// <para>
/// Rows sit in the vector lanes: a 64-byte load brings four nibble bytes of sixteen rows; masking and shifting give the
/// eight elements each row holds there (4 low, 4 high nibbles) as bytes, and each token's matching four activation bytes
/// are broadcast against them, so one <c>vpmaddubsw</c> forms two products for each of sixteen rows. Per block and
/// token the eight such products are added in int16 (each at most 2·15·127, eight 30480: nothing saturates), widened,
/// re-centred (−8·Σa), converted and multiplied-added with the sixteen rows' scale products — about 2.4 instructions
/// per (row, block) for one token, against 4.5 for the row-major kernel's lane sums, and the unpacking is shared by up
/// to eight tokens. Nothing is summed across lanes: a token's sixteen row outputs are one store.
/// </para>
/// </summary>
internal static unsafe partial class MatMulQ4_0Interleaved
{
    /// <summary>Tokens per tile: each has an accumulator and an int16 partial sum in registers.</summary>
    public const int MaxTileTokens = 8;
    private const int ActivationBlockBytes = 34;    // Q8_0: fp16 d + 32 int8
    private const int PrefetchBytes = 16384;         // how far ahead the weight stream is requested (64 blocks)

    /// <summary>True when this kernel can run: AVX-512 BW, or AVX2 with FMA (<see cref="RunHalves"/>).</summary>
    public static bool IsSupported => VecDotInt8.Use512 || UseHalves;

    /// <summary>
    /// Per-token block constants from Q8_0 activation rows: the scales as floats and the corrections 8·Σa, each
    /// (tokens, blocks), for tokens [<paramref name="first"/>, <paramref name="end"/>).
    /// </summary>
    public static void PrepareTokens(byte* act, int actRowBytes, int blocks, float* dx, int* corrections, int first, int end)
    {
        for (int t = first; t < end; t++)
        {
            byte* row = act + (long)t * actRowBytes;
            for (int b = 0; b < blocks; b++)
            {
                byte* block = row + (long)b * ActivationBlockBytes;
                dx[(long)t * blocks + b] = HalfConvert.HalfToSingle(Unsafe.ReadUnaligned<ushort>(block));
                corrections[(long)t * blocks + b] = 8 * MatMulQ4_0Blocks.BlockSum(block + 2);
            }
        }
    }

    /// <summary>
    /// y[t·yStride + r] = <see cref="Q4_0BlockDot.Dot"/>(W[r], x[t]) for the rows of groups [<paramref name="firstGroup"/>,
    /// <paramref name="endGroup"/>) (rows past <paramref name="rows"/> are padding, not stored) and every token.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(byte* w, int rows, int blocks, int firstGroup, int endGroup, byte* act, int actRowBytes,
        float* dx, int* corrections, int tokens, float* y, int yStride)
    {
        if (!VecDotInt8.Use512)
        {
            RunHalves(w, rows, blocks, firstGroup, endGroup, act, actRowBytes, dx, corrections, tokens, y, yStride);
            return;
        }
        long groupBytes = Q4_0Interleaved.GroupBytes(blocks);
        for (int g = firstGroup; g < endGroup; g++)
        {
            var tile = new TileArgs
            {
                Quants = w + g * groupBytes, Blocks = blocks, ActRowBytes = actRowBytes,
                RowCount = Math.Min(Q4_0Interleaved.GroupRows, rows - g * Q4_0Interleaved.GroupRows), YStride = yStride,
            };
            for (int t = 0; t < tokens; t += MaxTileTokens)
            {
                tile.Act = act + (long)t * actRowBytes;
                tile.Dx = dx + (long)t * blocks;
                tile.Corrections = corrections + (long)t * blocks;
                tile.Y = y + (long)t * yStride + g * Q4_0Interleaved.GroupRows;
                switch (Math.Min(MaxTileTokens, tokens - t))
                {
                    case 1: Tile<OneToken>(tile); break;
                    case 2: Tile<TwoTokens>(tile); break;
                    case 3: Tile<ThreeTokens>(tile); break;
                    case 4: Tile<FourTokens>(tile); break;
                    case 5: Tile<FiveTokens>(tile); break;
                    case 6: Tile<SixTokens>(tile); break;
                    case 7: Tile<SevenTokens>(tile); break;
                    default: Tile<EightTokens>(tile); break;
                }
            }
        }
    }

    private struct TileArgs
    {
        public byte* Quants;       // the group's first block vector; its scales follow its quants
        public int Blocks;
        public byte* Act;          // the tile's first token's Q8_0 row
        public int ActRowBytes;
        public float* Dx;          // the tile's first token's block scales, then the next token's, …
        public int* Corrections;   // likewise, 8·Σa per block
        public float* Y;           // the tile's first token's output for the group's first row
        public int YStride;
        public int RowCount;       // real rows in the group (the last may be short)
    }


    /// <summary>
    /// Sixteen rows × <typeparamref name="TTokens"/> tokens over all blocks. The code for absent tokens is removed by the
    /// JIT (the count is a constant of the instantiation); nothing in the loop calls out, so the accumulators stay in
    /// registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TTokens>(in TileArgs t) where TTokens : struct, ITokenCount
    {
        int n = TTokens.Value, blocks = t.Blocks;
        long stride = t.ActRowBytes;
        byte* quants = t.Quants, a = t.Act;
        ushort* scales = (ushort*)(quants + (long)blocks * Q4_0Interleaved.BlockQuantBytes);
        float* dx = t.Dx;
        int* corrections = t.Corrections;
        var nibbles = Vector512.Create((byte)0x0F);
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int b = 0; b < blocks; b++, quants += Q4_0Interleaved.BlockQuantBytes, a += ActivationBlockBytes)
        {
            // The weights are one sequential stream (a group's blocks, its scales, the next group), but the hardware
            // prefetchers stall at every 4 KiB page: without these, streaming from memory ran at a third of the speed.
            Sse.Prefetch0(quants + PrefetchBytes);
            Sse.Prefetch0(quants + PrefetchBytes + 64);
            Sse.Prefetch0(quants + PrefetchBytes + 128);
            Sse.Prefetch0(quants + PrefetchBytes + 192);
            Sse.Prefetch0(scales + b * Q4_0Interleaved.GroupRows + PrefetchBytes / 8);
            Vector512<short> p0 = default, p1 = default, p2 = default, p3 = default, p4 = default, p5 = default, p6 = default, p7 = default;
            for (int i = 0; i < 4; i++)
            {
                var v = Vector512.Load(quants + i * Q4_0Interleaved.VectorBytes);
                var low = v & nibbles;                                                  // elements 4i … 4i + 3
                var high = Vector512.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & nibbles; // elements 16 + 4i … 16 + 4i + 3
                byte* x = a + 2 + 4 * i;
                p0 += Products(low, high, x);
                if (n > 1) p1 += Products(low, high, x + stride);
                if (n > 2) p2 += Products(low, high, x + 2 * stride);
                if (n > 3) p3 += Products(low, high, x + 3 * stride);
                if (n > 4) p4 += Products(low, high, x + 4 * stride);
                if (n > 5) p5 += Products(low, high, x + 5 * stride);
                if (n > 6) p6 += Products(low, high, x + 6 * stride);
                if (n > 7) p7 += Products(low, high, x + 7 * stride);
            }
            var dw = HalfConvert.HalfToSingle(Avx512F.ConvertToVector512UInt32(Vector256.Load(scales + b * Q4_0Interleaved.GroupRows)));
            c0 = Finish(c0, p0, corrections[b], dx[b], dw);
            if (n > 1) c1 = Finish(c1, p1, corrections[blocks + b], dx[blocks + b], dw);
            if (n > 2) c2 = Finish(c2, p2, corrections[2 * blocks + b], dx[2 * blocks + b], dw);
            if (n > 3) c3 = Finish(c3, p3, corrections[3 * blocks + b], dx[3 * blocks + b], dw);
            if (n > 4) c4 = Finish(c4, p4, corrections[4 * blocks + b], dx[4 * blocks + b], dw);
            if (n > 5) c5 = Finish(c5, p5, corrections[5 * blocks + b], dx[5 * blocks + b], dw);
            if (n > 6) c6 = Finish(c6, p6, corrections[6 * blocks + b], dx[6 * blocks + b], dw);
            if (n > 7) c7 = Finish(c7, p7, corrections[7 * blocks + b], dx[7 * blocks + b], dw);
        }
        long ys = t.YStride;
        Store(t.Y, c0, t.RowCount);
        if (n > 1) Store(t.Y + ys, c1, t.RowCount);
        if (n > 2) Store(t.Y + 2 * ys, c2, t.RowCount);
        if (n > 3) Store(t.Y + 3 * ys, c3, t.RowCount);
        if (n > 4) Store(t.Y + 4 * ys, c4, t.RowCount);
        if (n > 5) Store(t.Y + 5 * ys, c5, t.RowCount);
        if (n > 6) Store(t.Y + 6 * ys, c6, t.RowCount);
        if (n > 7) Store(t.Y + 7 * ys, c7, t.RowCount);
    }

    /// <summary>The two int16 products per row of one vector's eight elements with the token's matching activations.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> Products(Vector512<byte> low, Vector512<byte> high, byte* x) =>
        Avx512BW.MultiplyAddAdjacent(low, Vector512.Create(*(int*)x).AsSByte())
        + Avx512BW.MultiplyAddAdjacent(high, Vector512.Create(*(int*)(x + 16)).AsSByte());

    /// <summary>acc + float(Σ products − 8·Σa)·(dw·dx): each row's exact block sum, scaled and added once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Finish(Vector512<float> acc, Vector512<short> products, int correction, float dx, Vector512<float> dw) =>
        Vector512.FusedMultiplyAdd(
            Vector512.ConvertToSingle(Avx512BW.MultiplyAddAdjacent(products, Vector512<short>.One) - Vector512.Create(correction)),
            dw * Vector512.Create(dx), acc);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* y, Vector512<float> sums, int rowCount)
    {
        if (rowCount == Q4_0Interleaved.GroupRows)
            sums.Store(y);
        else
            for (int i = 0; i < rowCount; i++)
                y[i] = sums.GetElement(i);
    }
}
