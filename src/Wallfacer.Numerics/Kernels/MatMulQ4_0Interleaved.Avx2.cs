using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// The interleaved Q4_0 kernel with AVX2 (machines without AVX-512): each 64-byte vector of the layout holds rows 0–7 in
/// its first 32 bytes and rows 8–15 in its second, so a tile covers one half of a group — eight rows in the eight 32-bit
/// lanes — and up to <see cref="MaxHalfTileTokens"/> tokens (sixteen 256-bit registers hold their int16 partial sums,
/// their accumulators and the unpacked nibbles); the second half re-reads the group from cache. One token (generation)
/// takes both halves in one pass instead (<see cref="GroupTile"/>): then every cache line of the weight stream is used
/// whole as it arrives — with half tiles, Qwen2.5-0.5B Q4_0 generated 26 tokens/s at one thread, with the group pass 38
/// (the prefetches stay 16 KiB ahead of one sequential stream either way). Per row and token the
/// operations are the AVX-512 tile's, lane for lane — the same exact int32 block sums, the same conversion, scale
/// product and fused multiply-add — so results are identical to it (and to <see cref="Q4_0BlockDot"/>'s order).
/// Rows in the lanes need no horizontal sums and share one scale vector: about 2.6 instructions per row, block and
/// token, against six for the row-major AVX2 kernel (<see cref="MatVecQ4_0Pairs256"/>), with the unpacking shared by
/// the tile's tokens.
/// </summary>
internal static unsafe partial class MatMulQ4_0Interleaved
{
    /// <summary>Tokens per half-group tile on the AVX2 path.</summary>
    private const int MaxHalfTileTokens = 4;
    private const int HalfRows = 8;

    private static bool UseHalves => Avx2.IsSupported && Fma.IsSupported;

    private static void RunHalves(byte* w, int rows, int blocks, int firstGroup, int endGroup, byte* act, int actRowBytes,
        float* dx, int* corrections, int tokens, float* y, int yStride)
    {
        long groupBytes = Q4_0Interleaved.GroupBytes(blocks);
        if (tokens == 1)
        {
            // Generation: both halves in one pass, so each cache line of the stream is used whole when it arrives.
            for (int g = firstGroup; g < endGroup; g++)
                GroupTile(w + g * groupBytes, blocks, act, dx, corrections, y + g * Q4_0Interleaved.GroupRows,
                    Math.Min(Q4_0Interleaved.GroupRows, rows - g * Q4_0Interleaved.GroupRows));
            return;
        }
        for (int g = firstGroup; g < endGroup; g++)
        {
            for (int half = 0; half < 2; half++)
            {
                int firstRow = g * Q4_0Interleaved.GroupRows + half * HalfRows;
                if (firstRow >= rows)
                    break; // the padding rows of the last group
                var tile = new TileArgs
                {
                    Quants = w + g * groupBytes + half * 32, Blocks = blocks, ActRowBytes = actRowBytes,
                    RowCount = Math.Min(HalfRows, rows - firstRow), YStride = yStride,
                };
                // The scales of a block are 16 fp16 values, rows 0–15: this half's eight start 8·half values in.
                ushort* scales = (ushort*)(w + g * groupBytes + (long)blocks * Q4_0Interleaved.BlockQuantBytes) + half * HalfRows;
                for (int t = 0; t < tokens; t += MaxHalfTileTokens)
                {
                    tile.Act = act + (long)t * actRowBytes;
                    tile.Dx = dx + (long)t * blocks;
                    tile.Corrections = corrections + (long)t * blocks;
                    tile.Y = y + (long)t * yStride + firstRow;
                    switch (Math.Min(MaxHalfTileTokens, tokens - t))
                    {
                        case 1: HalfTile<OneToken>(tile, scales); break;
                        case 2: HalfTile<TwoTokens>(tile, scales); break;
                        case 3: HalfTile<ThreeTokens>(tile, scales); break;
                        default: HalfTile<FourTokens>(tile, scales); break;
                    }
                }
            }
        }
    }

    /// <summary>Eight rows (one half of a group) × <typeparamref name="TTokens"/> tokens over all blocks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HalfTile<TTokens>(in TileArgs t, ushort* scales) where TTokens : struct, ITokenCount
    {
        int n = TTokens.Value, blocks = t.Blocks;
        long stride = t.ActRowBytes;
        byte* quants = t.Quants, a = t.Act;
        float* dx = t.Dx;
        int* corrections = t.Corrections;
        var nibbles = Vector256.Create((byte)0x0F);
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
        for (int b = 0; b < blocks; b++, quants += Q4_0Interleaved.BlockQuantBytes, a += ActivationBlockBytes)
        {
            // One sequential stream per group, but the hardware prefetchers stall at every 4 KiB page (see Tile).
            Sse.Prefetch0(quants + PrefetchBytes);
            Sse.Prefetch0(quants + PrefetchBytes + 64);
            Sse.Prefetch0(quants + PrefetchBytes + 128);
            Sse.Prefetch0(quants + PrefetchBytes + 192);
            Vector256<short> p0 = default, p1 = default, p2 = default, p3 = default;
            for (int i = 0; i < 4; i++)
            {
                var v = Vector256.Load(quants + i * Q4_0Interleaved.VectorBytes);
                var low = v & nibbles;                                                  // elements 4i … 4i + 3
                var high = Avx2.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & nibbles;  // elements 16 + 4i … 16 + 4i + 3
                byte* x = a + 2 + 4 * i;
                p0 += Products(low, high, x);
                if (n > 1) p1 += Products(low, high, x + stride);
                if (n > 2) p2 += Products(low, high, x + 2 * stride);
                if (n > 3) p3 += Products(low, high, x + 3 * stride);
            }
            var dw = HalfConvert.HalfToSingle(Avx2.ConvertToVector256Int32(Vector128.Load(scales + b * Q4_0Interleaved.GroupRows)).AsUInt32());
            c0 = Finish(c0, p0, corrections[b], dx[b], dw);
            if (n > 1) c1 = Finish(c1, p1, corrections[blocks + b], dx[blocks + b], dw);
            if (n > 2) c2 = Finish(c2, p2, corrections[2 * blocks + b], dx[2 * blocks + b], dw);
            if (n > 3) c3 = Finish(c3, p3, corrections[3 * blocks + b], dx[3 * blocks + b], dw);
        }
        long ys = t.YStride;
        Store(t.Y, c0, t.RowCount);
        if (n > 1) Store(t.Y + ys, c1, t.RowCount);
        if (n > 2) Store(t.Y + 2 * ys, c2, t.RowCount);
        if (n > 3) Store(t.Y + 3 * ys, c3, t.RowCount);
    }

    /// <summary>Sixteen rows (a whole group, both halves) × one token: the half tile's operations per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GroupTile(byte* quants, int blocks, byte* a, float* dx, int* corrections, float* y, int rowCount)
    {
        ushort* scales = (ushort*)(quants + (long)blocks * Q4_0Interleaved.BlockQuantBytes);
        var nibbles = Vector256.Create((byte)0x0F);
        Vector256<float> c0 = default, c1 = default;
        for (int b = 0; b < blocks; b++, quants += Q4_0Interleaved.BlockQuantBytes, a += ActivationBlockBytes)
        {
            Sse.Prefetch0(quants + PrefetchBytes);
            Sse.Prefetch0(quants + PrefetchBytes + 64);
            Sse.Prefetch0(quants + PrefetchBytes + 128);
            Sse.Prefetch0(quants + PrefetchBytes + 192);
            Vector256<short> p0 = GroupProducts(quants, a + 2, nibbles, out Vector256<short> p1);
            p0 += GroupProducts(quants + Q4_0Interleaved.VectorBytes, a + 6, nibbles, out Vector256<short> q1);
            p1 += q1;
            p0 += GroupProducts(quants + 2 * Q4_0Interleaved.VectorBytes, a + 10, nibbles, out q1);
            p1 += q1;
            p0 += GroupProducts(quants + 3 * Q4_0Interleaved.VectorBytes, a + 14, nibbles, out q1);
            p1 += q1;
            ushort* s = scales + b * Q4_0Interleaved.GroupRows;
            var dw0 = HalfConvert.HalfToSingle(Avx2.ConvertToVector256Int32(Vector128.Load(s)).AsUInt32());
            var dw1 = HalfConvert.HalfToSingle(Avx2.ConvertToVector256Int32(Vector128.Load(s + HalfRows)).AsUInt32());
            c0 = Finish(c0, p0, corrections[b], dx[b], dw0);
            c1 = Finish(c1, p1, corrections[b], dx[b], dw1);
        }
        Store(y, c0, Math.Min(rowCount, HalfRows));
        if (rowCount > HalfRows)
            Store(y + HalfRows, c1, rowCount - HalfRows);
    }

    /// <summary>One 64-byte vector's products for rows 0–7 (returned) and 8–15 (<paramref name="high8"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> GroupProducts(byte* vector, byte* x, Vector256<byte> nibbles, out Vector256<short> high8)
    {
        var v0 = Vector256.Load(vector);
        var v1 = Vector256.Load(vector + 32);
        var x0 = Vector256.Create(*(int*)x).AsSByte();
        var x1 = Vector256.Create(*(int*)(x + 16)).AsSByte();
        high8 = Avx2.MultiplyAddAdjacent(v1 & nibbles, x0)
            + Avx2.MultiplyAddAdjacent(Avx2.ShiftRightLogical(v1.AsUInt16(), 4).AsByte() & nibbles, x1);
        return Avx2.MultiplyAddAdjacent(v0 & nibbles, x0)
            + Avx2.MultiplyAddAdjacent(Avx2.ShiftRightLogical(v0.AsUInt16(), 4).AsByte() & nibbles, x1);
    }

    /// <summary>The two int16 products per row of one half-vector's eight elements with the token's matching activations.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Products(Vector256<byte> low, Vector256<byte> high, byte* x) =>
        Avx2.MultiplyAddAdjacent(low, Vector256.Create(*(int*)x).AsSByte())
        + Avx2.MultiplyAddAdjacent(high, Vector256.Create(*(int*)(x + 16)).AsSByte());

    /// <summary>acc + float(Σ products − 8·Σa)·(dw·dx), as <see cref="Finish(Vector512{float}, Vector512{short}, int, float, Vector512{float})"/> per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Finish(Vector256<float> acc, Vector256<short> products, int correction, float dx, Vector256<float> dw) =>
        Vector256.FusedMultiplyAdd(
            Vector256.ConvertToSingle(Avx2.MultiplyAddAdjacent(products, Vector256<short>.One) - Vector256.Create(correction)),
            dw * Vector256.Create(dx), acc);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* y, Vector256<float> sums, int rowCount)
    {
        if (rowCount == HalfRows)
            sums.Store(y);
        else
            for (int i = 0; i < rowCount; i++)
                y[i] = sums.GetElement(i);
    }
}
