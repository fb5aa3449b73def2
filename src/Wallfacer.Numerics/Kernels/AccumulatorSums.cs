using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// The lane sums of a full tile's eight accumulators, each exactly <see cref="Vector256.Sum{T}(Vector256{T})"/>: that
/// adds lanes (0+1)+(2+3) in each 128-bit half, then the halves. Two rounds of <c>vhaddps</c> make the same pairs for
/// four accumulators at once, and one add joins the halves: 8 instructions for eight sums instead of 88, which was a
/// twentieth of a tile's work on 896-column rows (Qwen2.5-0.5B).
/// </summary>
internal static unsafe class AccumulatorSums
{
    /// <summary>
    /// y[t·<paramref name="yStride"/>] = the lane sum of accumulator t for the tile's <typeparamref name="TTokens"/>
    /// tokens (the JIT keeps one branch).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TTokens>(Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3,
        Vector256<float> a4, Vector256<float> a5, Vector256<float> a6, Vector256<float> a7, float* y, nint yStride)
        where TTokens : struct, ITokenCount
    {
        int n = TTokens.Value;
        if (n == 8)
        {
            StoreEight(a0, a1, a2, a3, a4, a5, a6, a7, y, yStride);
            return;
        }
        y[0] = Vector256.Sum(a0);
        if (n > 1) y[yStride] = Vector256.Sum(a1);
        if (n > 2) y[2 * yStride] = Vector256.Sum(a2);
        if (n > 3) y[3 * yStride] = Vector256.Sum(a3);
        if (n > 4) y[4 * yStride] = Vector256.Sum(a4);
        if (n > 5) y[5 * yStride] = Vector256.Sum(a5);
        if (n > 6) y[6 * yStride] = Vector256.Sum(a6);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreEight(Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3,
        Vector256<float> a4, Vector256<float> a5, Vector256<float> a6, Vector256<float> a7, float* y, nint yStride)
    {
        Vector128<float> first = Halves(a0, a1, a2, a3), second = Halves(a4, a5, a6, a7);
        y[0] = first.ToScalar();
        y[yStride] = first.GetElement(1);
        y[2 * yStride] = first.GetElement(2);
        y[3 * yStride] = first.GetElement(3);
        y[4 * yStride] = second.ToScalar();
        y[5 * yStride] = second.GetElement(1);
        y[6 * yStride] = second.GetElement(2);
        y[7 * yStride] = second.GetElement(3);
    }

    /// <summary>The four vectors' sums: lane i of the result is <c>Vector256.Sum</c> of the i-th argument.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Halves(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d)
    {
        // Per 128-bit half: [a0+a1, a2+a3, b0+b1, b2+b3], then [(a0+a1)+(a2+a3), …, (d0+d1)+(d2+d3)].
        Vector256<float> quads = Avx.HorizontalAdd(Avx.HorizontalAdd(a, b), Avx.HorizontalAdd(c, d));
        return quads.GetLower() + quads.GetUpper();
    }
}
