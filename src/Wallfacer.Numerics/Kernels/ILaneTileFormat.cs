using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>The integer term a step adds from the activations' group sums (Q8_K bsums), beside the level products.</summary>
internal enum LaneTileExtra
{
    /// <summary>None (Q5_0).</summary>
    None,
    /// <summary>Added to the step's int32 lane sums before the scale (Q6_K: −32·Σ_g sc_g·bsum_g, the level offset).</summary>
    InSums,
    /// <summary>A second fused multiply-add with its own scale dmin·dy (Q4_K: −Σ_g m_g·bsum_g, the mins).</summary>
    MinTerm,
}

/// <summary>
/// A weight type whose AVX-512 <see cref="VecDot.Dot"/> (the path the one-token row kernels share:
/// <see cref="MatVecQ8Rows{TFormat, TActivation}"/> for Q5_0, <see cref="MatVecKRows{TFormat}"/> for Q4_K and Q6_K)
/// keeps one 16-lane float accumulator and, once per <em>step</em>, adds the step's sixteen int32 lane sums times the
/// fp32 scale products dw·dy with one fused multiply-add. A step is a pair of 32-element blocks for Q5_0 (block b in
/// lanes 0–7, b + 1 in lanes 8–15) and a 256-element super-block for Q4_K and Q6_K. Lane L of a step's sums covers
/// elements 64c + 4L … 64c + 4L + 3 of every 64-element <em>chunk</em> c of the step, so a chunk is one vector of
/// elements in their natural order. <see cref="MatMulLaneTiles{TFormat}"/> repeats exactly that per (row, token).
/// <para>
/// Per chunk the weights are prepared once per row as 64 unsigned level bytes and 32 int16 multipliers (the
/// sub-block scale of each pair of elements), so a chunk's lane sums are
/// <c>vpmaddwd(vpmaddubsw(levels, y) − companion, multipliers)</c>; the companion (Q5_0 only) removes the level
/// offset, 16·(y pair sums), formed once per (token, chunk). The K-quants take their offset or min term from the
/// activations' group sums instead (<see cref="LaneTileExtra"/>), in the lanes the row kernels put it. Every
/// intermediate is exact in int16/int32, so the lane sums equal the row kernels'.
/// </para>
/// </summary>
internal unsafe interface ILaneTileFormat
{
    /// <summary>Elements per step (64 or 256).</summary>
    static abstract int StepElements { get; }

    /// <summary>Bytes of a step of the stored weight row (a block pair or a super-block).</summary>
    static abstract int WeightStepBytes { get; }

    /// <summary>64-element chunks per step.</summary>
    static abstract int Chunks { get; }

    /// <summary>True when the level bytes are offset and the kernel subtracts the activations' companion (Q5_0).</summary>
    static abstract bool HasCompanion { get; }

    /// <summary>True when every multiplier is 1 (the scale is applied in float): the kernel uses a constant.</summary>
    static abstract bool UnitMultipliers { get; }

    /// <summary>The step's group-sum term.</summary>
    static abstract LaneTileExtra Extra { get; }

    /// <summary>
    /// Step <paramref name="step"/> of the weight row at <paramref name="row"/> (<paramref name="columns"/> long):
    /// per chunk 64 level bytes (<paramref name="levels"/>, 64 apart) and 32 int16 multipliers
    /// (<paramref name="multipliers"/>, 64 apart; unused with <see cref="UnitMultipliers"/>), the 16 scale lanes
    /// dw, and for <see cref="Extra"/> the 16 int16 row factors of the group sums (<paramref name="extra"/>) and for
    /// <see cref="LaneTileExtra.MinTerm"/> the 16 lanes dmin (<paramref name="minScale"/>).
    /// </summary>
    static abstract void PrepareWeights(byte* row, int columns, int step, byte* levels, short* multipliers, float* scale, short* extra, float* minScale);

    /// <summary>
    /// Step <paramref name="step"/> of the activation row at <paramref name="row"/>: per chunk 64 int8 values
    /// (<paramref name="values"/>, 64 apart), the companion (<paramref name="companion"/>, 64 apart, for
    /// <see cref="HasCompanion"/>), the 16 scale lanes dy, and the 16 int16 group sums (<paramref name="sums"/>, for
    /// <see cref="Extra"/>). Lanes of an absent block (Q5_0's odd last) are zero.
    /// </summary>
    static abstract void PrepareActivations(byte* row, int columns, int step, sbyte* values, short* companion, float* scale, short* sums);
}

/// <summary>
/// Q5_0 · Q8_0 (<see cref="Q5_0MatVec"/>): a step is a block pair, levels 0..31 (the fifth bit set), offset 16 as
/// the companion 16·(y pair sums), multiplier 1; an odd last block leaves the high half zero with scale 0.
/// </summary>
internal readonly unsafe struct Q5_0Lanes : ILaneTileFormat
{
    public static int StepElements => 64;
    public static int WeightStepBytes => 2 * BlockQ5_0.BlockBytes;
    public static int Chunks => 1;
    public static bool HasCompanion => true;
    public static bool UnitMultipliers => true;
    public static LaneTileExtra Extra => LaneTileExtra.None;

    /// <summary>Q5_0 blocks (and Q8_0 activation blocks) of a row.</summary>
    private static int Blocks(int columns) => columns / 32;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PrepareWeights(byte* row, int columns, int step, byte* levels, short* multipliers, float* scale, short* extra, float* minScale)
    {
        byte* first = row + (long)(2 * step) * BlockQ5_0.BlockBytes, second = first + BlockQ5_0.BlockBytes;
        Vector256.Create(HalfConvert.HalfToSingle(*(ushort*)first)).Store(scale);
        if (2 * step + 1 < Blocks(columns))
        {
            // The two blocks' 16 packed bytes as 128-bit lanes (b, b, b + 1, b + 1), a per-lane shift (0, 4, 0, 4) and a
            // mask: low then high nibbles of each block, in element order (no Vector512.Create, which goes through the
            // stack in .NET 10); the fifth bits as 0x10.
            Vector512<byte> packed = Vector256.Create(Vector128.Load(first + 6), Vector128.Load(second + 6)).ToVector512Unsafe();
            Vector512<ushort> twice = Avx512F.Shuffle4x128(packed.AsUInt64(), packed.AsUInt64(), 0b01_01_00_00).AsUInt16();
            Vector512<byte> nibbles = Avx512BW.ShiftRightLogicalVariable(twice, Vector512.Create(
                (ushort)0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 4)).AsByte() & Vector512.Create((byte)0x0F);
            (nibbles | Q5_0MatVec.HighBits(first, second)).Store(levels);
            Vector256.Create(HalfConvert.HalfToSingle(*(ushort*)second)).Store(scale + 8);
        }
        else
        {
            // An odd last block: the high half's levels and scale are zero.
            (Vector512.Create(VecDotInt8.SplitNibbles(Vector128.Load(first + 6)), default) | Q5_0MatVec.HighBits(*(uint*)(first + 2))).Store(levels);
            Vector256<float>.Zero.Store(scale + 8);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PrepareActivations(byte* row, int columns, int step, sbyte* values, short* companion, float* scale, short* sums)
    {
        for (int h = 0; h < 2; h++)
        {
            int b = 2 * step + h;
            if (b < Blocks(columns))
            {
                byte* block = row + (long)b * BlockQ8_0.BlockBytes;
                Vector256.Load(block + 2).Store((byte*)values + 32 * h);
                Vector256.Create(HalfConvert.HalfToSingle(*(ushort*)block)).Store(scale + 8 * h);
            }
            else
            {
                Vector256<byte>.Zero.Store((byte*)values + 32 * h);
                Vector256<float>.Zero.Store(scale + 8 * h);
            }
        }
        // As Q5_0MatVec's activation side: 16·(y pair sums), exact in int16.
        Vector512.ShiftLeft(Avx512BW.MultiplyAddAdjacent(Vector512<byte>.One, Vector512.Load(values)), 4).Store(companion);
    }
}

/// <summary>
/// Q4_K · Q8_K (<see cref="Q4KMatVec"/>): chunk c holds group 2c (low nibbles) then group 2c + 1 (high nibbles),
/// multipliers the two groups' 6-bit scales; the min term −Σ_g m_g·(bsum_2g + bsum_2g+1) lands in lanes 0–7.
/// </summary>
internal readonly unsafe struct Q4KLanes : ILaneTileFormat
{
    public static int StepElements => 256;
    public static int WeightStepBytes => BlockQ4K.BlockBytes;
    public static int Chunks => 4;
    public static bool HasCompanion => false;
    public static bool UnitMultipliers => false;
    public static LaneTileExtra Extra => LaneTileExtra.MinTerm;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PrepareWeights(byte* row, int columns, int step, byte* levels, short* multipliers, float* scale, short* extra, float* minScale)
    {
        byte* block = row + (long)step * BlockQ4K.BlockBytes;
        Vector512.Create(HalfConvert.HalfToSingle(*(ushort*)block)).Store(scale);
        Vector512.Create(HalfConvert.HalfToSingle(*(ushort*)(block + 2))).Store(minScale);
        // Words 0–7 the group scales, 8–15 the mins (Q4KMatVec's unpacking).
        Vector512<short> scalesAndMins = Avx2.ConvertToVector256Int16(Q4KMatVec.ScalesAndMins(block + BlockQ4K.ScalesOffset)).ToVector512Unsafe();
        Vector512<short> upperHalf = Vector512.Create(
            (short)0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        Vector512<ushort> nibbleShift = Vector512.Create(
            (ushort)0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4);
        for (int c = 0; c < 4; c++)
        {
            // Chunk c: the 32 packed bytes in both halves, low nibbles (group 2c) then high nibbles (group 2c + 1).
            Vector512<ushort> twice = VecDotInt8.Twice(block + BlockQ4K.QsOffset + 32 * c).AsUInt16();
            (Avx512BW.ShiftRightLogicalVariable(twice, nibbleShift).AsByte() & Vector512.Create((byte)0x0F)).Store(levels + 64 * c);
            Avx512BW.PermuteVar32x16(scalesAndMins, Vector512.Create((short)(2 * c)) + upperHalf).Store(multipliers + 32 * c);
        }
        // Each min twice, negated: vpmaddwd with the 16 bsums gives −m_g·(bsum_2g + bsum_2g+1) in lane g.
        Vector512<short> minPairs = Vector512.Create(
            (short)8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        (Vector256<short>.Zero - Avx512BW.PermuteVar32x16(scalesAndMins, minPairs).GetLower()).Store(extra);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PrepareActivations(byte* row, int columns, int step, sbyte* values, short* companion, float* scale, short* sums) =>
        Q8KActivations.Prepare(row, step, values, scale, sums);
}

/// <summary>
/// Q6_K · Q8_K (<see cref="Q6KMatVec"/>): chunk k holds elements 64k … 64k + 63 as unsigned 6-bit levels, multipliers
/// the four 16-element groups' int8 scales; the offset −32·Σ_g sc_g·bsum_g joins the sums in lanes 0–7.
/// </summary>
internal readonly unsafe struct Q6KLanes : ILaneTileFormat
{
    public static int StepElements => 256;
    public static int WeightStepBytes => BlockQ6K.BlockBytes;
    public static int Chunks => 4;
    public static bool HasCompanion => false;
    public static bool UnitMultipliers => false;
    public static LaneTileExtra Extra => LaneTileExtra.InSums;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PrepareWeights(byte* row, int columns, int step, byte* levels, short* multipliers, float* scale, short* extra, float* minScale)
    {
        byte* block = row + (long)step * BlockQ6K.BlockBytes;
        Vector512.Create(HalfConvert.HalfToSingle(*(ushort*)(block + BlockQ6K.DOffset))).Store(scale);
        Vector512<byte> low4 = Vector512.Create((byte)0x0F), high2 = Vector512.Create((byte)0x30);
        for (int h = 0; h < 2; h++)
        {
            // As Q6KMatVec.Half: the 64 ql bytes of the 128-element half give elements 0–63 (low nibbles) and 64–127
            // (high nibbles); the 32 qh bytes, in both 256-bit halves, their top two bits with a per-half shift.
            Vector512<byte> ql = Vector512.Load(block + 64 * h);
            Vector512<ushort> qh = VecDotInt8.Twice(block + BlockQ6K.QhOffset + 32 * h).AsUInt16();
            Vector512<byte> hLow = Avx512BW.ShiftLeftLogicalVariable(qh, Vector512.Create(
                (ushort)4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2)).AsByte();
            Vector512<byte> hHigh = Avx512BW.ShiftRightLogicalVariable(qh, Vector512.Create(
                (ushort)0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2)).AsByte();
            ((ql & low4) | (hLow & high2)).Store(levels + 128 * h);
            ((Vector512.ShiftRightLogical(ql, 4) & low4) | (hHigh & high2)).Store(levels + 128 * h + 64);
        }
        Vector256<short> scales = Avx2.ConvertToVector256Int16(Vector128.Load((sbyte*)(block + BlockQ6K.ScalesOffset)));
        Vector512<short> quarters = Vector512.Create(
            (short)0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
        for (int k = 0; k < 4; k++)
            Avx512BW.PermuteVar32x16(scales.ToVector512Unsafe(), Vector512.Create((short)(4 * k)) + quarters).Store(multipliers + 32 * k);
        // −32·sc (|·| ≤ 4096): vpmaddwd with the bsums gives −32·(sc_2j·bsum_2j + sc_2j+1·bsum_2j+1) in lane j.
        Vector256.ShiftLeft(Vector256<short>.Zero - scales, 5).Store(extra);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PrepareActivations(byte* row, int columns, int step, sbyte* values, short* companion, float* scale, short* sums) =>
        Q8KActivations.Prepare(row, step, values, scale, sums);
}

/// <summary>A Q8_K activation super-block as the K-quant lane formats take it: its 256 values, dy in 16 lanes, its 16 bsums.</summary>
internal static unsafe class Q8KActivations
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Prepare(byte* row, int step, sbyte* values, float* scale, short* sums)
    {
        byte* block = row + (long)step * BlockQ8K.BlockBytes;
        for (int c = 0; c < 4; c++)
            Vector512.Load(block + BlockQ8K.QsOffset + 64 * c).Store((byte*)values + 64 * c);
        Vector512.Create(*(float*)block).Store(scale);
        Vector256.Load(block + BlockQ8K.BsumsOffset).Store((byte*)sums);
    }
}
