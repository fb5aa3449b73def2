using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// How <see cref="MatMulQ8Tiles{TFormat, TUnpacked}"/> (and the few-token kernel) unpack two consecutive 32-element weight blocks into a
/// form that is reused against many activation blocks, and how it forms the int8 partial sums (sixteen int32
/// lanes, each the sum over four consecutive elements, as every dot-product path in <see cref="VecDot"/> forms them).
/// </summary>
internal unsafe interface IQ8PairFormat<TUnpacked> where TUnpacked : struct
{
    /// <summary>Bytes per block, scale included.</summary>
    static abstract int BlockBytes { get; }

    /// <summary>Unpacks the quants of two blocks (pointers past each block's 2-byte scale).</summary>
    static abstract TUnpacked Pair(byte* first, byte* second);

    /// <summary>Unpacks a lone last block into the low half; the high half contributes nothing.</summary>
    static abstract TUnpacked Last(byte* quants);

    /// <summary>Σ w·y per group of four elements.</summary>
    static abstract Vector512<int> Sums(TUnpacked w, Vector512<sbyte> y);
}

/// <summary>Q4_0: nibbles 0..15 stored unsigned; Σ(q − 8)·y is formed as Σq·y − 8·Σy, exact in int16.</summary>
internal readonly unsafe struct Q4_0Pairs : IQ8PairFormat<Vector512<byte>>
{
    public static int BlockBytes => 18;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> Pair(byte* first, byte* second) =>
        VecDotInt8.SplitNibblePair(Vector128.Load(first), Vector128.Load(second));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> Last(byte* quants) => Vector512.Create(VecDotInt8.SplitNibbles(Vector128.Load(quants)), default);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Sums(Vector512<byte> q, Vector512<sbyte> y)
    {
        Vector512<short> qy = Avx512BW.MultiplyAddAdjacent(q, y);
        Vector512<short> ysum = Avx512BW.MultiplyAddAdjacent(Vector512<byte>.One, y);
        return Avx512BW.MultiplyAddAdjacent(qy - Vector512.ShiftLeft(ysum, 3), Vector512<short>.One);
    }
}

/// <summary>Q8_0 weights unpacked once into magnitudes and sign masks (u8×s8 products need an unsigned left side).</summary>
internal readonly struct Q8_0Unpacked(Vector512<byte> magnitude, Vector512<sbyte> negative)
{
    public Vector512<byte> Magnitude { get; } = magnitude;
    public Vector512<sbyte> Negative { get; } = negative;
}

/// <summary>Q8_0: signed int8 quants; the weight's sign moves onto the activation, as <see cref="VecDotInt8"/>'s DotSigned does.</summary>
internal readonly unsafe struct Q8_0Pairs : IQ8PairFormat<Q8_0Unpacked>
{
    public static int BlockBytes => 34;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Q8_0Unpacked Pair(byte* first, byte* second) =>
        Unpack(Vector512.Create(Vector256.Load(first), Vector256.Load(second)).AsSByte());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Q8_0Unpacked Last(byte* quants) => Unpack(Vector512.Create(Vector256.Load(quants), default).AsSByte());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Q8_0Unpacked Unpack(Vector512<sbyte> w) =>
        new(Avx512BW.Abs(w), Vector512.LessThan(w, Vector512<sbyte>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Sums(Q8_0Unpacked w, Vector512<sbyte> y) =>
        VecDotInt8.DotUnsigned(default, w.Magnitude, Vector512.ConditionalSelect(w.Negative, Vector512<sbyte>.Zero - y, y));
}
