using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// How <see cref="MatVecQ8Rows{TFormat, TActivation}"/> forms the int8 partial sums of two consecutive 32-element
/// weight blocks against two Q8_0 activation blocks: sixteen int32 lanes, each the sum over four consecutive
/// elements in the lane layout <see cref="VecDot"/>'s AVX-512 paths use (block b in the low 256 bits, block b + 1
/// in the high), so the integer sums are those of <see cref="VecDot.Dot"/>. Everything that depends only on the
/// activations is in <typeparamref name="TActivation"/>, prepared once per block pair and shared by every row.
/// </summary>
internal unsafe interface IMatVecFormat<TSelf, TActivation>
    where TSelf : struct, IMatVecFormat<TSelf, TActivation>
    where TActivation : struct
{
    /// <summary>The weight type.</summary>
    static abstract GgmlType Type { get; }

    /// <summary>Bytes per weight block, fp16 scale included.</summary>
    static abstract int BlockBytes { get; }

    /// <summary>
    /// Bytes past the end of a block pair that <see cref="PairSums"/> may read; the caller uses
    /// <see cref="PairSumsNearEnd"/> where that would leave the matrix.
    /// </summary>
    static abstract int Overread { get; }

    /// <summary>
    /// The fp16 scales of 16 consecutive blocks starting at <paramref name="first"/>, one per 32-bit lane in the low
    /// 16 bits (the high bits are ignored by the conversion). Reads only inside those 16 blocks. A gather or 16
    /// scalar loads cost more than the dot products of the 16 blocks; two-source byte permutes (<c>vpermt2b</c>)
    /// over 128-byte windows pick several scales each.
    /// </summary>
    static abstract Vector512<uint> ScaleHalves(byte* first);

    /// <summary>
    /// The format with its loop-invariant vectors (byte selectors, shift counts, masks) in fields. A kernel gets it
    /// as a parameter of the method that holds its loop: the JIT reloads every vector constant it can see from
    /// memory in every iteration (it hoists neither constants nor loads), and in a loop of ~10 vector operations
    /// per row and block pair those reloads cost 10–25%; parameters stay in registers.
    /// </summary>
    static abstract TSelf Create();

    /// <summary>The activation side of two consecutive Q8_0 activation blocks starting at <paramref name="blocks"/>.</summary>
    TActivation Pair(byte* blocks);

    /// <summary>The activation side of a lone last Q8_0 block: the high half is zero.</summary>
    TActivation Last(byte* block);

    /// <summary>Partial sums of the weight block pair at <paramref name="pair"/> (its first scale byte).</summary>
    Vector512<int> PairSums(byte* pair, in TActivation x);

    /// <summary>As <see cref="PairSums"/>, reading nothing past the pair.</summary>
    Vector512<int> PairSumsNearEnd(byte* pair, in TActivation x);

    /// <summary>Partial sums of a lone last block (low half); the high half is zero.</summary>
    Vector512<int> LastSums(byte* block, in TActivation x);
}

/// <summary>Q4_0 activation side: the int8 values and 8·Σy per pair of elements (the −8 offset of the nibbles).</summary>
internal readonly struct Q4_0MatVecActivation(Vector512<sbyte> values, Vector512<short> offset)
{
    public Vector512<sbyte> Values { get; } = values;
    public Vector512<short> Offset { get; } = offset;
}

/// <summary>
/// Q4_0: Σ(q − 8)·y = Σq·y − 8·Σy with the unsigned nibbles on the left of <c>vpmaddubsw</c>; the 8·Σy part
/// depends on the activations only, so it is computed once per block pair for all rows. Exact: |q·y pair| ≤ 3810
/// and |8·y pair| ≤ 2032 fit in int16. The nibbles come from one 64-byte load and one <c>vpermb</c> that places
/// each block's 16 packed bytes twice; one GFNI affine transform (without GFNI, a per-half shift and a mask) then
/// leaves low nibbles (elements 0–15) and high nibbles (16–31) where <see cref="VecDotInt8.SplitNibblePair"/> puts them.
/// </summary>
internal readonly unsafe struct Q4_0MatVec : IMatVecFormat<Q4_0MatVec, Q4_0MatVecActivation>
{
    private readonly Vector512<byte> _select;   // bytes 2..17 (block b's quants) and 20..35 (b + 1's), each twice
    private readonly Vector512<byte> _nibbleMatrices; // GFNI: low nibbles of the first copy, high of the second
    private readonly Vector512<ushort> _shifts; // without GFNI: 0 for the low-nibble copy, 4 for the high-nibble copy
    private readonly Vector512<byte> _lowNibble;
    private readonly Vector512<byte> _byteOnes;
    private readonly Vector512<short> _shortOnes;

    private Q4_0MatVec(Vector512<byte> select, Vector512<ushort> shifts)
    {
        _select = select;
        _shifts = shifts;
        _nibbleMatrices = PairNibbleMatrices;
        _lowNibble = Vector512.Create((byte)0x0F);
        _byteOnes = Vector512<byte>.One;
        _shortOnes = Vector512<short>.One;
    }

    /// <summary>
    /// The GFNI matrices for a block pair's nibble copies (<see cref="VecDotInt8.NibblesByQuadword"/>): elements
    /// 0–15 (low nibbles) in bytes 0–15 and 32–47, elements 16–31 (high nibbles) in bytes 16–31 and 48–63.
    /// </summary>
    internal static Vector512<byte> PairNibbleMatrices
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.Create(
            VecDotInt8.LowNibbleMatrix, VecDotInt8.LowNibbleMatrix, VecDotInt8.HighNibbleMatrix, VecDotInt8.HighNibbleMatrix,
            VecDotInt8.LowNibbleMatrix, VecDotInt8.LowNibbleMatrix, VecDotInt8.HighNibbleMatrix, VecDotInt8.HighNibbleMatrix).AsByte();
    }

    public static GgmlType Type => GgmlType.Q4_0;

    public static int BlockBytes => 18;

    // The 64-byte load starts at the pair's first scale and the pair spans 36 bytes.
    public static int Overread => 64 - 36;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Q4_0MatVec Create() => new(
        Vector512.Create(
            (byte)2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
            20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35),
        Vector512.Create((ushort)0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 4));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> ScaleHalves(byte* first)
    {
        // A 128-byte window holds the scales of 8 blocks (the 8th at bytes 126–127); lane j takes bytes 18j, 18j + 1.
        Vector512<byte> select = Vector512.Create(
            (byte)0, 1, 0, 0, 18, 19, 0, 0, 36, 37, 0, 0, 54, 55, 0, 0, 72, 73, 0, 0, 90, 91, 0, 0, 108, 109, 0, 0, 126, 127, 0, 0,
            0, 1, 0, 0, 18, 19, 0, 0, 36, 37, 0, 0, 54, 55, 0, 0, 72, 73, 0, 0, 90, 91, 0, 0, 108, 109, 0, 0, 126, 127, 0, 0);
        Vector512<byte> low = Avx512Vbmi.PermuteVar64x8x2(Vector512.Load(first), select, Vector512.Load(first + 64));
        Vector512<byte> high = Avx512Vbmi.PermuteVar64x8x2(Vector512.Load(first + 144), select, Vector512.Load(first + 208));
        return Vector512.ConditionalSelect(Vector512.Create(0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1).AsByte(), high, low).AsUInt32();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Q4_0MatVecActivation Pair(byte* blocks) => Prepare(VecDotInt8.Join(blocks + 2, blocks + 34 + 2).AsSByte());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Q4_0MatVecActivation Last(byte* block) => Prepare(Vector256.Load(block + 2).ToVector512().AsSByte());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Q4_0MatVecActivation Prepare(Vector512<sbyte> y) =>
        new(y, Vector512.ShiftLeft(Avx512BW.MultiplyAddAdjacent(_byteOnes, y), 3));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<int> PairSums(byte* pair, in Q4_0MatVecActivation x) => Sums(Nibbles(pair), x);

    /// <summary>
    /// The 64 nibbles of the block pair at <paramref name="pair"/> in VecDot's lane layout (reads 64 bytes): one
    /// <c>vpermb</c> places each block's 16 packed bytes twice; one GFNI affine transform (or a per-half shift and a
    /// mask) then leaves low nibbles (elements 0–15) and high nibbles (16–31) where
    /// <see cref="VecDotInt8.SplitNibblePair"/> puts them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Vector512<byte> Nibbles(byte* pair) =>
        VecDotInt8.NibblesByQuadword(Avx512Vbmi.PermuteVar64x8(Vector512.Load(pair), _select), _nibbleMatrices, _shifts, _lowNibble);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<int> PairSumsNearEnd(byte* pair, in Q4_0MatVecActivation x) =>
        Sums(VecDotInt8.SplitNibblePair(Vector128.Load(pair + 2), Vector128.Load(pair + 18 + 2)), x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<int> LastSums(byte* block, in Q4_0MatVecActivation x) =>
        Sums(Vector512.Create(VecDotInt8.SplitNibbles(Vector128.Load(block + 2)), default), x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<int> Sums(Vector512<byte> q, in Q4_0MatVecActivation x) =>
        Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(q, x.Values) - x.Offset, _shortOnes);
}

/// <summary>Q8_0 activation side: the values and their negations (the weight's sign moves onto the activation).</summary>
internal readonly struct Q8_0MatVecActivation(Vector512<sbyte> values, Vector512<sbyte> negated)
{
    public Vector512<sbyte> Values { get; } = values;
    public Vector512<sbyte> Negated { get; } = negated;
}

/// <summary>Q8_0: signed weights; |w| goes on the unsigned side and sign(w) onto y, as <see cref="VecDotInt8"/>'s DotSigned does.</summary>
internal readonly unsafe struct Q8_0MatVec : IMatVecFormat<Q8_0MatVec, Q8_0MatVecActivation>
{
    private readonly Vector512<short> _shortOnes;

    private Q8_0MatVec(Vector512<short> shortOnes) => _shortOnes = shortOnes;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Q8_0MatVec Create() => new(Vector512<short>.One);

    public static GgmlType Type => GgmlType.Q8_0;

    public static int BlockBytes => 34;

    public static int Overread => 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> ScaleHalves(byte* first)
    {
        // A 128-byte window holds the scales of 4 blocks (bytes 34j, 34j + 1); four windows fill the 16 lanes.
        Vector512<byte> select = Vector512.Create(
            (byte)0, 1, 0, 0, 34, 35, 0, 0, 68, 69, 0, 0, 102, 103, 0, 0, 0, 1, 0, 0, 34, 35, 0, 0, 68, 69, 0, 0, 102, 103, 0, 0,
            0, 1, 0, 0, 34, 35, 0, 0, 68, 69, 0, 0, 102, 103, 0, 0, 0, 1, 0, 0, 34, 35, 0, 0, 68, 69, 0, 0, 102, 103, 0, 0);
        Vector512<byte> q0 = Avx512Vbmi.PermuteVar64x8x2(Vector512.Load(first), select, Vector512.Load(first + 64));
        Vector512<byte> q1 = Avx512Vbmi.PermuteVar64x8x2(Vector512.Load(first + 136), select, Vector512.Load(first + 200));
        Vector512<byte> q2 = Avx512Vbmi.PermuteVar64x8x2(Vector512.Load(first + 272), select, Vector512.Load(first + 336));
        Vector512<byte> q3 = Avx512Vbmi.PermuteVar64x8x2(Vector512.Load(first + 408), select, Vector512.Load(first + 472));
        Vector512<byte> lower = Vector512.ConditionalSelect(Vector512.Create(0, 0, 0, 0, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0).AsByte(), q1, q0);
        Vector512<byte> upper = Vector512.ConditionalSelect(Vector512.Create(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1).AsByte(), q3, q2);
        return Vector512.ConditionalSelect(Vector512.Create(0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1).AsByte(), upper, lower).AsUInt32();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Q8_0MatVecActivation Pair(byte* blocks) => Prepare(VecDotInt8.Join(blocks + 2, blocks + 34 + 2).AsSByte());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Q8_0MatVecActivation Last(byte* block) => Prepare(Vector256.Load(block + 2).ToVector512().AsSByte());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Q8_0MatVecActivation Prepare(Vector512<sbyte> y) => new(y, Vector512<sbyte>.Zero - y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<int> PairSums(byte* pair, in Q8_0MatVecActivation x) =>
        Sums(VecDotInt8.Join(pair + 2, pair + 34 + 2).AsSByte(), x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<int> PairSumsNearEnd(byte* pair, in Q8_0MatVecActivation x) => PairSums(pair, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<int> LastSums(byte* block, in Q8_0MatVecActivation x) =>
        Sums(Vector256.Load(block + 2).ToVector512().AsSByte(), x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<int> Sums(Vector512<sbyte> w, in Q8_0MatVecActivation x)
    {
        // VecDotInt8.DotUnsigned's operations, with its constant in a field.
        Vector512<sbyte> signed = Vector512.ConditionalSelect(Vector512.LessThan(w, Vector512<sbyte>.Zero), x.Negated, x.Values);
        return Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(Avx512BW.Abs(w), signed), _shortOnes);
    }
}
