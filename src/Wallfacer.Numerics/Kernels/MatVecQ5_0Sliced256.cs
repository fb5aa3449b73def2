using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// Activation rows × sliced Q5_0 weights (<see cref="Q5_0Sliced"/>) with AVX2. Each block's levels come out in element
/// order and meet the activations exactly as in <see cref="MatVecRows256{TFormat, TActivation}"/> with
/// <see cref="Q5_0Rows256"/> (the same int32 lanes, the same scale products dw·dx, the same multiply-adds in block
/// order), so every result is bit-identical to <see cref="VecDot.Dot"/> on the row-major row, at any token count.
/// </summary>
internal static unsafe class MatVecQ5_0Sliced256
{
    private const int ActivationBlockBytes = BlockQ8_0.BlockBytes;
    private const int GroupActivationBytes = Q5_0Sliced.GroupBlocks * ActivationBlockBytes;

    /// <summary>True when this code runs here.</summary>
    public static bool CanRun => Avx2.IsSupported;

    /// <summary>
    /// y[r] = dot(W[r], x) for rows [start, end): <paramref name="act"/> is the Q8_0 activation row and
    /// <paramref name="dx"/> its block scales as floats.
    /// </summary>
    public static void Run(byte* w, int rowBytes, int start, int end, int blocks, byte* act, float* dx, float* y)
    {
        int r = start;
        for (; r + 4 <= end; r += 4)
            Rows4(w + (long)r * rowBytes, rowBytes, blocks, act, dx, y + r);
        for (; r < end; r++)
            y[r] = Row(w + (long)r * rowBytes, blocks, act, dx);
    }

    /// <summary>One row's dot product (the same operations as a row of <see cref="Rows4"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static float Row(byte* row, int blocks, byte* act, float* dx)
    {
        Vector256<float> a = default;
        byte* end = row + (long)blocks / Q5_0Sliced.GroupBlocks * Q5_0Sliced.GroupBytes;
        for (byte* g = row; g < end; g += Q5_0Sliced.GroupBytes, act += GroupActivationBytes, dx += Q5_0Sliced.GroupBlocks)
        {
            Vector256<byte> bits = Bits(g);
            a = Step(Levels(g, bits, 0), g, 0, Q5_0Rows256.Activation(act), dx, a);
            a = Step(Levels(g, bits, 1), g, 1, Q5_0Rows256.Activation(act + ActivationBlockBytes), dx, a);
            a = Step(Levels(g, bits, 2), g, 2, Q5_0Rows256.Activation(act + 2 * ActivationBlockBytes), dx, a);
            a = Step(Levels(g, bits, 3), g, 3, Q5_0Rows256.Activation(act + 3 * ActivationBlockBytes), dx, a);
        }
        return Vector256.Sum(a);
    }

    /// <summary>
    /// Four rows side by side: each activation block (its values and offset sums) is prepared once for the four, and
    /// each row's fifth bits are spread once per group for its four blocks.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Rows4(byte* r0, int rowBytes, int blocks, byte* act, float* dx, float* y)
    {
        nint row1 = rowBytes, row2 = 2 * row1, row3 = 3 * row1;
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        byte* end = r0 + (long)blocks / Q5_0Sliced.GroupBlocks * Q5_0Sliced.GroupBytes;
        byte* ahead = r0 + 8L * rowBytes; // a hint: past the matrix's end it is dropped, never faults
        for (byte* g = r0; g < end; g += Q5_0Sliced.GroupBytes, act += GroupActivationBytes, dx += Q5_0Sliced.GroupBlocks)
        {
            // The band of rows two groups of four ahead, as fast as this band is consumed (four rows' worth per group):
            // the prefetchers lose four interleaved row streams, and a row's own next bytes are often the next row's.
            byte* next = ahead + 4 * (g - r0);
            Sse.Prefetch0(next);
            Sse.Prefetch0(next + 64);
            Sse.Prefetch0(next + 128);
            Sse.Prefetch0(next + 192);
            Sse.Prefetch0(next + 256);
            Sse.Prefetch0(next + 320);
            Vector256<byte> b0 = Bits(g), b1 = Bits(g + row1), b2 = Bits(g + row2), b3 = Bits(g + row3);
            Block4(g, row1, b0, b1, b2, b3, 0, act, dx, ref a0, ref a1, ref a2, ref a3);
            Block4(g, row1, b0, b1, b2, b3, 1, act + ActivationBlockBytes, dx, ref a0, ref a1, ref a2, ref a3);
            Block4(g, row1, b0, b1, b2, b3, 2, act + 2 * ActivationBlockBytes, dx, ref a0, ref a1, ref a2, ref a3);
            Block4(g, row1, b0, b1, b2, b3, 3, act + 3 * ActivationBlockBytes, dx, ref a0, ref a1, ref a2, ref a3);
        }
        y[0] = Vector256.Sum(a0);
        y[1] = Vector256.Sum(a1);
        y[2] = Vector256.Sum(a2);
        y[3] = Vector256.Sum(a3);
    }

    /// <summary>Block <paramref name="j"/> (a constant) of the group at <paramref name="g"/> in four rows <paramref name="row1"/> apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block4(byte* g, nint row1, Vector256<byte> b0, Vector256<byte> b1, Vector256<byte> b2, Vector256<byte> b3,
        int j, byte* actBlock, float* dx, ref Vector256<float> a0, ref Vector256<float> a1, ref Vector256<float> a2, ref Vector256<float> a3)
    {
        OffsetActivation256 x = Q5_0Rows256.Activation(actBlock);
        a0 = Step(Levels(g, b0, j), g, j, x, dx, a0);
        a1 = Step(Levels(g + row1, b1, j), g + row1, j, x, dx, a1);
        a2 = Step(Levels(g + 2 * row1, b2, j), g + 2 * row1, j, x, dx, a2);
        a3 = Step(Levels(g + 3 * row1, b3, j), g + 3 * row1, j, x, dx, a3);
    }

    /// <summary>acc + (dw·dx)·Σ for block <paramref name="j"/> of the group (the row-major kernel's operations).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Step(Vector256<byte> levels, byte* g, int j, in OffsetActivation256 x, float* dx, Vector256<float> acc) =>
        Vector256.MultiplyAddEstimate(Avx.ConvertToVector256Single(VecDotInt8.DotUnsigned(x.NegativeOffsetSums, levels, x.Values)),
            Vector256.Create(HalfTable.ToSingle(((ushort*)g)[j]) * dx[j]), acc);

    /// <summary>
    /// The group's fifth bits in both 128-bit halves, the high half shifted right by four within each 32-bit lane: bit j
    /// of every byte is then block j's bit for that byte's element (elements 0–15 low, 16–31 high).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<byte> Bits(byte* g) =>
        Avx2.ShiftRightLogicalVariable(Avx2.BroadcastVector128ToVector256(g + Q5_0Sliced.BitsOffset).AsUInt32(),
            Vector256.Create(0u, 0, 0, 0, 4, 4, 4, 4)).AsByte();

    /// <summary>
    /// Block <paramref name="j"/>'s 5-bit levels (unsigned, element order): its nibbles from the pair vector, and bit j of
    /// <paramref name="bits"/> moved to bit 4 (a 16-bit shift left by 4 − j keeps every bit inside its byte).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<byte> Levels(byte* g, Vector256<byte> bits, int j)
    {
        Vector256<byte> pair = Vector256.Load(g + Q5_0Sliced.NibblesOffset + 32 * (j / 2));
        Vector256<byte> nibbles = (j % 2 == 0 ? pair : Avx2.ShiftRightLogical(pair.AsUInt16(), 4).AsByte()) & Vector256.Create((byte)0x0F);
        Vector256<ushort> b = bits.AsUInt16();
        Vector256<ushort> moved = j switch // j is a constant here: one shift survives
        {
            0 => Avx2.ShiftLeftLogical(b, 4),
            1 => Avx2.ShiftLeftLogical(b, 3),
            2 => Avx2.ShiftLeftLogical(b, 2),
            _ => Avx2.ShiftLeftLogical(b, 1),
        };
        return nibbles | (moved.AsByte() & Vector256.Create((byte)0x10));
    }

    /// <summary>Most tokens that share one unpacking of a weight block in <see cref="RunTokens"/>.</summary>
    private const int TileTokens = TokenTiles<Tile>.TileTokens;

    /// <summary>
    /// y[t·<paramref name="yStride"/> + r] = dot(W[r], x[t]) for rows [start, end) and <paramref name="tokens"/> activation
    /// rows given as values (laid out by <see cref="AlignedActivations.CopyQ8_0Values"/>) and block scales as floats
    /// (token t's at <paramref name="dx"/> + t·<paramref name="dxStride"/>): each block unpacked once for up to eight
    /// tokens, in the signed form (|w|, w) of <see cref="Q5_0Rows256.Decode"/>; bit-identical to <see cref="Run"/>.
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
            MatVecQ5_0Sliced256.RowTokens<TTokens>(row, dw, blocks, values, valueRowBytes, dx, dxStride, y, yStride);

        public static void WidenScales(byte* row, int blocks, float* into) => MatVecQ5_0Sliced256.WidenScales(row, blocks, into);

        public static byte* Panel(byte* w, int rowBytes, int first, int end) => w + (long)first * rowBytes; // rows stay in place
    }

    /// <summary>The row's block scales (the four fp16 at the head of each group) as floats, from the fp16 table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WidenScales(byte* row, int blocks, float* into)
    {
        float* table = HalfTable.Entries;
        for (int b = 0; b < blocks; b += Q5_0Sliced.GroupBlocks, row += Q5_0Sliced.GroupBytes)
            for (int j = 0; j < Q5_0Sliced.GroupBlocks; j++)
                into[b + j] = table[((ushort*)row)[j]];
    }

    /// <summary>One row × <typeparamref name="TTokens"/> tokens; the code for absent tokens is removed by the JIT.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowTokens<TTokens>(byte* row, float* dw, int blocks, byte* values, nint valueRowBytes, float* dx,
        nint dxStride, float* y, nint yStride)
        where TTokens : struct, ITokenCount
    {
        int n = TTokens.Value;
        nint v3 = 3 * valueRowBytes;
        byte* values4 = values + 4 * valueRowBytes; // tokens 4–7 address from here with the same offsets
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        byte* x = values, x4 = values4;
        // One block per pass, as the row-major kernel goes (unrolling the group's four blocks made the JIT spill the
        // accumulators): a group's fifth bits and each pair's nibbles are loaded once and shifted along, block by block.
        float* sc = stackalloc float[TileTokens * Q5_0Sliced.GroupBlocks];
        Vector256<ushort> bits = default, pair = default;
        byte* g = row - Q5_0Sliced.GroupBytes;
        for (int b = 0; b < blocks; b++, x += 32, x4 += 32)
        {
            int j = b & (Q5_0Sliced.GroupBlocks - 1);
            if (j == 0)
            {
                g += Q5_0Sliced.GroupBytes;
                float* d = dx + b;
                var sw = Vector128.Load(dw + b);
                (sw * Vector128.Load(d)).Store(sc);
                if (n > 1) (sw * Vector128.Load(d + dxStride)).Store(sc + 4);
                if (n > 2) (sw * Vector128.Load(d + 2 * dxStride)).Store(sc + 8);
                if (n > 3) (sw * Vector128.Load(d + 3 * dxStride)).Store(sc + 12);
                if (n > 4) (sw * Vector128.Load(d + 4 * dxStride)).Store(sc + 16);
                if (n > 5) (sw * Vector128.Load(d + 5 * dxStride)).Store(sc + 20);
                if (n > 6) (sw * Vector128.Load(d + 6 * dxStride)).Store(sc + 24);
                if (n > 7) (sw * Vector128.Load(d + 7 * dxStride)).Store(sc + 28);
                bits = Bits(g).AsUInt16();
            }
            if ((j & 1) == 0)
                pair = Vector256.Load((ushort*)(g + Q5_0Sliced.NibblesOffset + 16 * j));
            // Block j's nibbles are the pair's low ones (then its high ones shift down); its fifth bits are bit 0 of
            // the shifted bits vector (bit j of the original; each shift keeps a byte's own bits in place below).
            Vector256<byte> levels = (pair.AsByte() & Vector256.Create((byte)0x0F))
                | (Avx2.ShiftLeftLogical(bits, 4).AsByte() & Vector256.Create((byte)0x10));
            pair = Avx2.ShiftRightLogical(pair, 4);
            bits = Avx2.ShiftRightLogical(bits, 1);
            BlockLevels256 signed = Signed(levels);
            float* s = sc + j;
            a0 = TokenStep(signed, x, s[0], a0);
            if (n > 1) a1 = TokenStep(signed, x + valueRowBytes, s[4], a1);
            if (n > 2) a2 = TokenStep(signed, x + 2 * valueRowBytes, s[8], a2);
            if (n > 3) a3 = TokenStep(signed, x + v3, s[12], a3);
            if (n > 4) a4 = TokenStep(signed, x4, s[16], a4);
            if (n > 5) a5 = TokenStep(signed, x4 + valueRowBytes, s[20], a5);
            if (n > 6) a6 = TokenStep(signed, x4 + 2 * valueRowBytes, s[24], a6);
            if (n > 7) a7 = TokenStep(signed, x4 + v3, s[28], a7);
        }
        AccumulatorSums.Store<TTokens>(a0, a1, a2, a3, a4, a5, a6, a7, y, yStride);
    }

    /// <summary>Q5_0Rows256.Decode's signed form of unsigned levels: |level − 16| and level − 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static BlockLevels256 Signed(Vector256<byte> levels)
    {
        Vector256<sbyte> w = (levels - Vector256.Create((byte)16)).AsSByte();
        return new BlockLevels256(Avx2.Abs(w), w.AsByte());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> TokenStep(in BlockLevels256 levels, byte* values, float scale, Vector256<float> acc) =>
        Vector256.MultiplyAddEstimate(Avx.ConvertToVector256Single(Q5_0Rows256.Sums(levels, Q5_0Rows256.ActivationValues(values))),
            Vector256.Create(scale), acc);
}
