using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// Prompt batches against Q4_0 weights with exact per-block integer sums (<see cref="Q4_0BlockDot"/>), tokens in the
/// vector lanes: one 512-bit register holds four consecutive activation bytes of sixteen tokens, and a weight row's four
/// matching nibbles (unpacked to bytes) are broadcast against it, so one <c>vpmaddubsw</c> forms two products for each of
/// sixteen tokens and nothing has to be summed across lanes.
/// <para>
/// Per block the eight such products of a (row, 16 tokens) pair are added in int16 (each is at most 2·15·127, eight of
/// them 30480, so nothing saturates), widened once, re-centred (−8·Σa, prepared per token), converted and multiplied-added
/// with the block's scale product. That is about 1.25 instructions per (row, token, block) against the three of
/// <see cref="MatMulQ8Tiles{TFormat, TUnpacked}"/>'s lane sums, which must convert and scale every sum of four products
/// to stay bit-identical to <see cref="VecDot.Dot"/>. Results here are bit-identical to <see cref="Q4_0BlockDot.Dot"/>
/// instead, at any tile, batch or thread count; <see cref="MatMul.BatchInvariant"/> selects the lane sums where a token's
/// result must not depend on what it is batched with.
/// </para>
/// <para>
/// Layout: <see cref="PrepareToken"/> writes each (16-token group, block) as one 640-byte record — eight 64-byte vectors
/// (quants 4k…4k+3 of the sixteen tokens), sixteen int32 corrections 8·Σa and sixteen float scales; padding tokens are
/// zero. A panel of weight rows (about <see cref="PanelBytes"/> packed) is unpacked once per call into per-worker scratch
/// (32 bytes of nibbles per block in element order, and the block scales as floats). The tile is 4 rows × 32 tokens
/// (16 accumulators and partial sums, all in registers); blocks are taken in chunks of <see cref="ChunkBlocks"/> so that
/// a token tile's activations for the chunk (20 KiB) stay in L1 while every row tile of the panel passes over them, the
/// accumulators being parked in scratch between chunks (block order, hence the result, is unchanged).
/// </para>
/// </summary>
internal static unsafe class MatMulQ4_0Blocks
{
    /// <summary>Tokens per vector: one group's prepared records hold sixteen tokens side by side.</summary>
    public const int GroupTokens = 16;
    private const int TileRows = 4;
    private const int ChunkBlocks = 16;
    private const int RecordBytes = 640;            // 8 × 64 quants + 16 int32 corrections + 16 float scales
    private const int CorrectionOffset = 512;
    private const int ScaleOffset = 576;
    private const int WeightBlockBytes = 18;        // Q4_0: fp16 d + 16 bytes of nibbles
    private const int ActivationBlockBytes = 34;    // Q8_0: fp16 d + 32 int8
    private const int UnpackedBlockBytes = 32;
    private const int PanelBytes = 64 * 1024;

    /// <summary>True when this kernel can run (AVX-512 BW).</summary>
    public static bool IsSupported => VecDotInt8.Use512;

    /// <summary>Tokens <see cref="PrepareToken"/> lays out: whole groups of sixteen (the padding is zeros).</summary>
    public static int PaddedTokens(int tokens) => (tokens + GroupTokens - 1) / GroupTokens * GroupTokens;

    /// <summary>Bytes of prepared activations for this many tokens and blocks per row.</summary>
    public static long PreparedBytes(int tokens, int blocks) => (long)PaddedTokens(tokens) / GroupTokens * blocks * RecordBytes;

    /// <summary>Floats of per-worker scratch <see cref="Run"/> needs: a panel's unpacked weights, scales and parked accumulators.</summary>
    public static int ScratchFloats(int blocks)
    {
        int rows = PanelRows(blocks);
        return 16 + rows * blocks * (UnpackedBlockBytes / sizeof(float)) + rows * ScaleStride(blocks) + rows * 2 * GroupTokens;
    }

    /// <summary>
    /// Writes token <paramref name="t"/>'s column of the prepared records from its Q8_0 row <paramref name="act"/> (or
    /// zeros for a padding token, <paramref name="t"/> ≥ <paramref name="tokens"/>). Tokens are independent, so workers
    /// can share them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PrepareToken(byte* act, int t, int tokens, int blocks, byte* prepared)
    {
        byte* column = prepared + (long)(t / GroupTokens) * blocks * RecordBytes + t % GroupTokens * sizeof(int);
        for (int b = 0; b < blocks; b++, column += RecordBytes)
        {
            if (t >= tokens)
            {
                for (int k = 0; k < 10; k++)
                    *(int*)(column + k * 64) = 0;
                continue;
            }
            byte* block = act + (long)b * ActivationBlockBytes;
            for (int k = 0; k < 8; k++)
                *(int*)(column + k * 64) = Unsafe.ReadUnaligned<int>(block + 2 + 4 * k);
            *(int*)(column + CorrectionOffset) = 8 * BlockSum(block + 2);
            *(float*)(column + ScaleOffset) = HalfConvert.HalfToSingle(Unsafe.ReadUnaligned<ushort>(block));
        }
    }

    /// <summary>Σ of 32 int8: the bytes offset to unsigned and summed by <c>vpsadbw</c>, then the offset taken off.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int BlockSum(byte* quants)
    {
        Vector256<byte> offset = Vector256.Load(quants) ^ Vector256.Create((byte)0x80);
        Vector256<ulong> sums = Avx2.SumAbsoluteDifferences(offset, Vector256<byte>.Zero).AsUInt64();
        return (int)Vector256.Sum(sums) - 32 * 128;
    }

    /// <summary>
    /// y[t·yStride + r] = Σ over blocks as <see cref="Q4_0BlockDot.Dot"/>, for rows [start, end) and every token, from the
    /// prepared activations. <paramref name="scratch"/> holds <see cref="ScratchFloats"/> floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(byte* w, int rowBytes, int start, int end, int blocks, byte* prepared, int tokens,
        float* y, int yStride, float* scratch)
    {
        int panelRows = PanelRows(blocks), groups = PaddedTokens(tokens) / GroupTokens, stride = ScaleStride(blocks);
        byte* unpacked = (byte*)(((nint)scratch + 63) & ~(nint)63);                      // (panelRows, blocks, 32)
        float* scales = (float*)(unpacked + (long)panelRows * blocks * UnpackedBlockBytes); // (panelRows, stride)
        float* parked = scales + panelRows * stride;                                    // (panelRows / 4, 2 groups × 4 rows, 16)
        for (int panel = start; panel < end; panel += panelRows)
        {
            int panelEnd = Math.Min(end, panel + panelRows);
            for (int r = panel; r < panelEnd; r++)
            {
                MatMulQ8Tiles<Q4_0Tiles, Vector512<byte>>.WeightScales(w + (long)r * rowBytes, blocks, scales + (r - panel) * stride);
                Unpack(w + (long)r * rowBytes, blocks, unpacked + (long)(r - panel) * blocks * UnpackedBlockBytes);
            }
            for (int g = 0; g < groups; g += 2)
            {
                bool two = g + 1 < groups;
                for (int chunk = 0; chunk < blocks; chunk += ChunkBlocks)
                {
                    int count = Math.Min(ChunkBlocks, blocks - chunk);
                    byte* a = prepared + ((long)g * blocks + chunk) * RecordBytes;
                    for (int r = panel; r < panelEnd; r += TileRows)
                    {
                        // A short last tile repeats the panel's last row (read, never stored).
                        int i0 = r - panel, i1 = Math.Min(r + 1, panelEnd - 1) - panel;
                        int i2 = Math.Min(r + 2, panelEnd - 1) - panel, i3 = Math.Min(r + 3, panelEnd - 1) - panel;
                        var tile = new TileArgs
                        {
                            W0 = unpacked + ((long)i0 * blocks + chunk) * UnpackedBlockBytes,
                            W1 = unpacked + ((long)i1 * blocks + chunk) * UnpackedBlockBytes,
                            W2 = unpacked + ((long)i2 * blocks + chunk) * UnpackedBlockBytes,
                            W3 = unpacked + ((long)i3 * blocks + chunk) * UnpackedBlockBytes,
                            S0 = scales + i0 * stride + chunk, S1 = scales + i1 * stride + chunk,
                            S2 = scales + i2 * stride + chunk, S3 = scales + i3 * stride + chunk,
                            Activations = a, SecondGroup = a + (long)blocks * RecordBytes, Blocks = count,
                            Parked = parked + i0 * 2 * GroupTokens, First = chunk == 0, Last = chunk + count == blocks,
                        };
                        if (two)
                            Tile<TwoGroups>(tile);
                        else
                            Tile<OneGroup>(tile);
                        if (tile.Last)
                            Store(tile.Parked, y + (long)g * GroupTokens * yStride + r, yStride,
                                Math.Min(TileRows, panelEnd - r), tokens - g * GroupTokens, two);
                    }
                }
            }
        }
    }

    /// <summary>Rows per panel: about <see cref="PanelBytes"/> of packed weights, a multiple of the tile's rows.</summary>
    private static int PanelRows(int blocks) => Math.Max(TileRows, PanelBytes / (blocks * WeightBlockBytes) / TileRows * TileRows);

    /// <summary>Floats per row of block scales in the scratch, as <see cref="MatMulQ8Tiles{TFormat, TUnpacked}.WeightScales"/> writes them.</summary>
    private static int ScaleStride(int blocks) => MatMulQ8Tiles<Q4_0Tiles, Vector512<byte>>.ScaleStride(blocks);

    /// <summary>The row's nibbles as bytes 0…15 in element order: per block the 16 low nibbles, then the 16 high ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Unpack(byte* row, int blocks, byte* o)
    {
        var low = Vector128.Create((byte)0x0F);
        for (int b = 0; b < blocks; b++, o += UnpackedBlockBytes)
        {
            Vector128<byte> q = Vector128.Load(row + (long)b * WeightBlockBytes + 2);
            (q & low).Store(o);
            (Vector128.ShiftRightLogical(q.AsUInt16(), 4).AsByte() & low).Store(o + 16);
        }
    }

    /// <summary>One tile's inputs: 4 rows' unpacked weights and scales from the chunk's first block, 1 or 2 token groups.</summary>
    private struct TileArgs
    {
        public byte* W0, W1, W2, W3;
        public float* S0, S1, S2, S3;
        public byte* Activations, SecondGroup;
        public int Blocks;
        public float* Parked;   // 8 × 16 floats: row i, group j at (j·4 + i)·16
        public bool First, Last;
    }

    private interface IGroups { static abstract bool Two { get; } }
    private struct OneGroup : IGroups { public static bool Two => false; }
    private struct TwoGroups : IGroups { public static bool Two => true; }

    /// <summary>
    /// 4 rows × 16 or 32 tokens over the chunk's blocks, continuing the accumulators parked by the previous chunk. Nothing
    /// in the loop calls out (a call would make the JIT keep the accumulators on the stack); the second group's code is
    /// removed by the JIT when <typeparamref name="TGroups"/> has one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TGroups>(in TileArgs t) where TGroups : struct, IGroups
    {
        bool two = TGroups.Two;
        float* parked = t.Parked;
        Vector512<float> c00, c10, c20, c30, c01 = default, c11 = default, c21 = default, c31 = default;
        if (t.First)
        {
            c00 = c10 = c20 = c30 = default;
        }
        else
        {
            c00 = Vector512.Load(parked); c10 = Vector512.Load(parked + 16); c20 = Vector512.Load(parked + 32); c30 = Vector512.Load(parked + 48);
            if (two)
            {
                c01 = Vector512.Load(parked + 64); c11 = Vector512.Load(parked + 80); c21 = Vector512.Load(parked + 96); c31 = Vector512.Load(parked + 112);
            }
        }
        byte* w0 = t.W0, w1 = t.W1, w2 = t.W2, w3 = t.W3, a0 = t.Activations, a1 = t.SecondGroup;
        float* s0 = t.S0, s1 = t.S1, s2 = t.S2, s3 = t.S3;
        for (int b = 0, blocks = t.Blocks; b < blocks; b++)
        {
            Vector512<short> p00 = default, p10 = default, p20 = default, p30 = default;
            Vector512<short> p01 = default, p11 = default, p21 = default, p31 = default;
            for (int k = 0; k < 8; k++)
            {
                var x0 = Vector512.Load((sbyte*)(a0 + 64 * k));
                var v0 = Vector512.Create(*(int*)(w0 + 4 * k)).AsByte();
                var v1 = Vector512.Create(*(int*)(w1 + 4 * k)).AsByte();
                var v2 = Vector512.Create(*(int*)(w2 + 4 * k)).AsByte();
                var v3 = Vector512.Create(*(int*)(w3 + 4 * k)).AsByte();
                p00 += Avx512BW.MultiplyAddAdjacent(v0, x0); p10 += Avx512BW.MultiplyAddAdjacent(v1, x0);
                p20 += Avx512BW.MultiplyAddAdjacent(v2, x0); p30 += Avx512BW.MultiplyAddAdjacent(v3, x0);
                if (two)
                {
                    var x1 = Vector512.Load((sbyte*)(a1 + 64 * k));
                    p01 += Avx512BW.MultiplyAddAdjacent(v0, x1); p11 += Avx512BW.MultiplyAddAdjacent(v1, x1);
                    p21 += Avx512BW.MultiplyAddAdjacent(v2, x1); p31 += Avx512BW.MultiplyAddAdjacent(v3, x1);
                }
            }
            var e0 = Vector512.Load((int*)(a0 + CorrectionOffset));
            var d0 = Vector512.Load((float*)(a0 + ScaleOffset));
            c00 = Finish(c00, p00, e0, d0, s0[b]); c10 = Finish(c10, p10, e0, d0, s1[b]);
            c20 = Finish(c20, p20, e0, d0, s2[b]); c30 = Finish(c30, p30, e0, d0, s3[b]);
            if (two)
            {
                var e1 = Vector512.Load((int*)(a1 + CorrectionOffset));
                var d1 = Vector512.Load((float*)(a1 + ScaleOffset));
                c01 = Finish(c01, p01, e1, d1, s0[b]); c11 = Finish(c11, p11, e1, d1, s1[b]);
                c21 = Finish(c21, p21, e1, d1, s2[b]); c31 = Finish(c31, p31, e1, d1, s3[b]);
            }
            w0 += UnpackedBlockBytes; w1 += UnpackedBlockBytes; w2 += UnpackedBlockBytes; w3 += UnpackedBlockBytes;
            a0 += RecordBytes; a1 += RecordBytes;
        }
        c00.Store(parked); c10.Store(parked + 16); c20.Store(parked + 32); c30.Store(parked + 48);
        if (two)
        {
            c01.Store(parked + 64); c11.Store(parked + 80); c21.Store(parked + 96); c31.Store(parked + 112);
        }
    }

    /// <summary>acc + float(Σ products − 8·Σa)·(dx·dw): the block's exact integer sum, scaled and added once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Finish(Vector512<float> acc, Vector512<short> products, Vector512<int> correction,
        Vector512<float> dx, float dw) =>
        Vector512.FusedMultiplyAdd(
            Vector512.ConvertToSingle(Avx512BW.MultiplyAddAdjacent(products, Vector512<short>.One) - correction),
            dx * Vector512.Create(dw), acc);

    /// <summary>
    /// Writes the parked sums of a finished tile: rows are the fast index of <paramref name="y"/>, so after a 4 × 4
    /// transpose per quarter each token's four rows are one 16-byte store; partial tiles are written element by element.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Store(float* parked, float* y, int yStride, int rowCount, int tokenCount, bool two)
    {
        for (int j = 0; j < (two ? 2 : 1); j++, parked += 64, y += (long)GroupTokens * yStride)
        {
            int count = Math.Min(GroupTokens, tokenCount - j * GroupTokens);
            var r0 = Vector512.Load(parked); var r1 = Vector512.Load(parked + 16);
            var r2 = Vector512.Load(parked + 32); var r3 = Vector512.Load(parked + 48);
            var t0 = Avx512F.UnpackLow(r0, r1).AsDouble(); var t1 = Avx512F.UnpackLow(r2, r3).AsDouble();   // [r0[i] r1[i] r0[i+1] r1[i+1]] per quarter
            var t2 = Avx512F.UnpackHigh(r0, r1).AsDouble(); var t3 = Avx512F.UnpackHigh(r2, r3).AsDouble();
            var k0 = Avx512F.UnpackLow(t0, t1).AsSingle();   // token 4q + 0's four rows in quarter q
            var k1 = Avx512F.UnpackHigh(t0, t1).AsSingle();  // token 4q + 1
            var k2 = Avx512F.UnpackLow(t2, t3).AsSingle();   // token 4q + 2
            var k3 = Avx512F.UnpackHigh(t2, t3).AsSingle();  // token 4q + 3
            if (rowCount == TileRows && count == GroupTokens)
            {
                StoreFour(y, yStride, Avx512F.ExtractVector128(k0, 0), Avx512F.ExtractVector128(k1, 0), Avx512F.ExtractVector128(k2, 0), Avx512F.ExtractVector128(k3, 0));
                StoreFour(y + 4L * yStride, yStride, Avx512F.ExtractVector128(k0, 1), Avx512F.ExtractVector128(k1, 1), Avx512F.ExtractVector128(k2, 1), Avx512F.ExtractVector128(k3, 1));
                StoreFour(y + 8L * yStride, yStride, Avx512F.ExtractVector128(k0, 2), Avx512F.ExtractVector128(k1, 2), Avx512F.ExtractVector128(k2, 2), Avx512F.ExtractVector128(k3, 2));
                StoreFour(y + 12L * yStride, yStride, Avx512F.ExtractVector128(k0, 3), Avx512F.ExtractVector128(k1, 3), Avx512F.ExtractVector128(k2, 3), Avx512F.ExtractVector128(k3, 3));
                continue;
            }
            for (int token = 0; token < count; token++)
            {
                var byToken = (token % 4) switch { 0 => k0, 1 => k1, 2 => k2, _ => k3 };
                Vector128<float> four = (token / 4) switch
                {
                    0 => byToken.GetLower().GetLower(), 1 => byToken.GetLower().GetUpper(),
                    2 => byToken.GetUpper().GetLower(), _ => byToken.GetUpper().GetUpper(),
                };
                float* o = y + (long)token * yStride;
                for (int i = 0; i < rowCount; i++)
                    o[i] = four.GetElement(i);
            }
        }
    }

    /// <summary>Four consecutive tokens' four rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFour(float* y, int yStride, Vector128<float> t0, Vector128<float> t1, Vector128<float> t2, Vector128<float> t3)
    {
        t0.Store(y);
        t1.Store(y + yStride);
        t2.Store(y + 2L * yStride);
        t3.Store(y + 3L * yStride);
    }
}
