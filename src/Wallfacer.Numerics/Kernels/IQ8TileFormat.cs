using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// How <see cref="MatMulQ8Tiles{TFormat, TUnpacked}"/> forms the int8 partial sums of a weight block pair against
/// a prepared activation pair. Each activation pair carries a companion vector computed once per (token, pair) at
/// preparation, so the work it saves is not repeated for every weight row of a tile. The sums are the same
/// sixteen int32 lanes (each the exact sum over four consecutive elements) that <see cref="IQ8PairFormat{TUnpacked}.Sums"/>
/// forms, so the products stay bit-identical to <see cref="VecDot.Dot"/>.
/// </summary>
internal unsafe interface IQ8TileFormat<TUnpacked> : IQ8PairFormat<TUnpacked> where TUnpacked : struct
{
    /// <summary>The per-activation part of <see cref="TileSums"/>, computed once per (token, pair).</summary>
    static abstract Vector512<sbyte> Companion(Vector512<sbyte> y);

    /// <summary>The fp16 scales of 16 consecutive blocks from <paramref name="first"/>, one per 32-bit lane (reads only those blocks).</summary>
    static abstract Vector512<uint> ScaleHalves(byte* first);

    /// <summary>Σ w·y per group of four elements, given the activation's <see cref="Companion"/>.</summary>
    static abstract Vector512<int> TileSums(TUnpacked w, Vector512<sbyte> y, Vector512<sbyte> companion);
}

/// <summary>Q4_0 tiles: the companion is 8·Σy per element pair (int16), the term that re-centres the nibbles.</summary>
internal readonly unsafe struct Q4_0Tiles : IQ8TileFormat<Vector512<byte>>
{
    public static int BlockBytes => Q4_0Pairs.BlockBytes;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> ScaleHalves(byte* first) => Q4_0MatVec.ScaleHalves(first);

    /// <summary>
    /// The nibbles in <see cref="VecDotInt8.SplitNibblePair"/>'s layout (per block: 16 low nibbles, then 16 high ones) in
    /// four instructions: the two 16-byte blocks are doubled into [b0, b0, b1, b1] and the second copy of each is shifted
    /// down a nibble (bits crossing into a byte from its neighbour are masked away with the high nibble).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> Pair(byte* first, byte* second)
    {
        Vector512<byte> both = Avx2.InsertVector128(Vector128.Load(first).ToVector256Unsafe(), Vector128.Load(second), 1).ToVector512Unsafe();
        Vector512<byte> twice = Avx512F.Shuffle4x128(both.AsUInt64(), both.AsUInt64(), 0b01_01_00_00).AsByte();
        return Avx512F.ShiftRightLogicalVariable(twice.AsUInt64(), Vector512.Create(0, 0, 4, 4, 0, 0, 4, 4ul)).AsByte() & Vector512.Create((byte)0x0F);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> Last(byte* quants) => Q4_0Pairs.Last(quants);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Sums(Vector512<byte> w, Vector512<sbyte> y) => Q4_0Pairs.Sums(w, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<sbyte> Companion(Vector512<sbyte> y) =>
        Vector512.ShiftLeft(Avx512BW.MultiplyAddAdjacent(Vector512<byte>.One, y), 3).AsSByte();

    /// <summary>Σ(q − 8)·y = Σq·y − 8·Σy in int16 (|Σq·y| ≤ 3810, |8·Σy| ≤ 2032: exact), then widened.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> TileSums(Vector512<byte> q, Vector512<sbyte> y, Vector512<sbyte> companion) =>
        Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(q, y) - companion.AsInt16(), Vector512<short>.One);
}

/// <summary>Q8_0 tiles: the companion is −y, so moving a weight's sign onto the activation is one blend.</summary>
internal readonly unsafe struct Q8_0Tiles : IQ8TileFormat<Q8_0Unpacked>
{
    public static int BlockBytes => Q8_0Pairs.BlockBytes;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> ScaleHalves(byte* first) => Q8_0MatVec.ScaleHalves(first);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Q8_0Unpacked Pair(byte* first, byte* second)
    {
        Vector512<sbyte> w = VecDotInt8.Join(first, second).AsSByte();
        return new(Avx512BW.Abs(w), Vector512.LessThan(w, Vector512<sbyte>.Zero));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Q8_0Unpacked Last(byte* quants) => Q8_0Pairs.Last(quants);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Sums(Q8_0Unpacked w, Vector512<sbyte> y) => Q8_0Pairs.Sums(w, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<sbyte> Companion(Vector512<sbyte> y) => Vector512<sbyte>.Zero - y;

    /// <summary>|w|·(±y): two products per int16 stay within 2·128·127 = 32512, so nothing saturates.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> TileSums(Q8_0Unpacked w, Vector512<sbyte> y, Vector512<sbyte> companion) =>
        Avx512BW.MultiplyAddAdjacent(
            Avx512BW.MultiplyAddAdjacent(w.Magnitude, Vector512.ConditionalSelect(w.Negative, companion, y)), Vector512<short>.One);
}
