using System.Runtime.Intrinsics;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// One 256-element K-quant super-block against the matching Q8_K activation block, for
/// <see cref="MatVecKRows{TFormat}"/>: the block's whole contribution (integer sums, block scales, the Q8_K scale
/// and any min term) fused into a float accumulator with a fixed sequence of vector operations, so the row-tiled
/// kernel and the single dot product (<see cref="VecDot.Dot"/> on its AVX-512 path) give bit-identical results.
/// </summary>
internal unsafe interface IKMatVecFormat
{
    /// <summary>The weight type.</summary>
    static abstract GgmlType Type { get; }

    /// <summary>Bytes per weight super-block.</summary>
    static abstract int BlockBytes { get; }

    /// <summary>
    /// The super-block's fp16 scales as one 32-bit word: d in the low half and, where the type has one, dmin in the
    /// high half (zero otherwise). The kernel widens these for several rows in one vector step.
    /// </summary>
    static abstract uint ScaleWord(byte* w);

    /// <summary>
    /// The super-block's 16 scale bytes in the form <see cref="Accumulate"/> multiplies them (Q4_K: the 8 unpacked
    /// 6-bit group scales, then the 8 mins; Q6_K: the 16 int8 group scales as stored).
    /// </summary>
    static abstract Vector128<byte> BlockScales(byte* w);

    /// <summary>
    /// <see cref="BlockScales"/> of four super-blocks <paramref name="rowBytes"/> apart, each with the same integer steps
    /// as one (so a row's bytes do not depend on which path formed them); a format whose bytes need unpacking (Q4_K)
    /// does the four in one 512-bit pass.
    /// </summary>
    static abstract void BlockScales4(byte* w, nint rowBytes,
        out Vector128<byte> s0, out Vector128<byte> s1, out Vector128<byte> s2, out Vector128<byte> s3);

    /// <summary>
    /// <paramref name="acc"/> plus the super-block at <paramref name="w"/> dotted with the Q8_K block at
    /// <paramref name="y"/>, given its <see cref="BlockScales"/> and <paramref name="d"/>, <paramref name="dmin"/> in
    /// every lane: the block's fp16 scales (<see cref="ScaleWord"/>) widened and multiplied by the Q8_K block's float
    /// scale. Reads only inside the two blocks.
    /// </summary>
    static abstract Vector512<float> Accumulate(byte* w, byte* y, Vector512<float> acc, Vector128<byte> scales, Vector512<float> d, Vector512<float> dmin);
}
