using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// How <see cref="MatMulFewTokens{TFormat, TWeights}"/> unpacks a pair of 32-element weight blocks once and forms
/// its int8 partial sums against each token's prepared activation pair (<see cref="MatMulFewTokens{TFormat, TWeights}.PairBytes"/>
/// bytes: 64 int8 values, 64 bytes of format-specific help). The sixteen int32 lanes are those of
/// <see cref="VecDot"/>'s AVX-512 paths (block b in the low 256 bits, b + 1 in the high; each lane the sum over
/// four consecutive elements), so the integer sums are <see cref="VecDot.Dot"/>'s.
/// </summary>
internal unsafe interface IFewTokensFormat<TWeights> where TWeights : struct
{
    /// <summary>The weight type.</summary>
    static abstract GgmlType Type { get; }

    /// <summary>Bytes per weight block, fp16 scale included.</summary>
    static abstract int BlockBytes { get; }

    /// <summary>Bytes past the end of a block pair that <see cref="Pair"/> may read (see <see cref="IMatVecFormat{T}.Overread"/>).</summary>
    static abstract int Overread { get; }

    /// <summary>The fp16 scales of 16 consecutive blocks, as <see cref="IMatVecFormat{T}.ScaleHalves"/>.</summary>
    static abstract Vector512<uint> ScaleHalves(byte* first);

    /// <summary>
    /// The weight block pair at <paramref name="pair"/> (its first scale byte), unpacked; may read
    /// <see cref="Overread"/> bytes past the pair (the kernel gives it a padded copy of a row's last pairs).
    /// </summary>
    static abstract TWeights Pair(byte* pair);

    /// <summary>The 64 help bytes of an activation pair from its 64 values (zero where the values are zero).</summary>
    static abstract Vector512<byte> Help(Vector512<sbyte> values);

    /// <summary>The partial sums of unpacked weights against one token's prepared activation pair.</summary>
    static abstract Vector512<int> Sums(in TWeights w, byte* activation);
}

/// <summary>Q4_0: the help bytes are 8·Σy per lane as int32, so Σ(q − 8)·y = Σq·y − 8·Σy costs one subtraction per token.</summary>
internal readonly unsafe struct Q4_0FewTokens : IFewTokensFormat<Vector512<byte>>
{
    public static GgmlType Type => GgmlType.Q4_0;

    public static int BlockBytes => 18;

    public static int Overread => Q4_0MatVec.Overread;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> ScaleHalves(byte* first) => Q4_0MatVec.ScaleHalves(first);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> Pair(byte* pair) => Q4_0MatVec.Create().Nibbles(pair);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> Help(Vector512<sbyte> values) =>
        Vector512.ShiftLeft(Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(Vector512<byte>.One, values), Vector512<short>.One), 3).AsByte();

    // Exact: |q·y pair| ≤ 3810 fits vpmaddubsw's int16 without saturation; the rest is int32.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Sums(in Vector512<byte> q, byte* activation) =>
        Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(q, Vector512.Load((sbyte*)activation)), Vector512<short>.One)
        - Vector512.Load((int*)(activation + 64));
}

/// <summary>Q8_0: the help bytes are the negated values, so the weight's sign moves onto y with one blend per token.</summary>
internal readonly unsafe struct Q8_0FewTokens : IFewTokensFormat<Q8_0Unpacked>
{
    public static GgmlType Type => GgmlType.Q8_0;

    public static int BlockBytes => 34;

    public static int Overread => 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> ScaleHalves(byte* first) => Q8_0MatVec.ScaleHalves(first);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Q8_0Unpacked Pair(byte* pair) => Q8_0Pairs.Pair(pair + 2, pair + 34 + 2);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> Help(Vector512<sbyte> values) => (Vector512<sbyte>.Zero - values).AsByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Sums(in Q8_0Unpacked w, byte* activation) =>
        VecDotInt8.DotUnsigned(default, w.Magnitude,
            Vector512.ConditionalSelect(w.Negative, Vector512.Load((sbyte*)(activation + 64)), Vector512.Load((sbyte*)activation)));
}
