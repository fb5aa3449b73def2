using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Wallfacer.Numerics.Kernels;

namespace Wallfacer.Numerics.Quants;

/// <summary>
/// Q5_0 · Q8_0 with AVX-512: two blocks per 512-bit vector, scales widened in batches. The integer sums come from
/// <see cref="Q5_0MatVec"/> and the float steps are those of <see cref="MatVecQ8Rows{TFormat, TActivation}"/>, so the
/// one-token mat-vec is bit-identical to this dot product.
/// </summary>
internal static partial class VecDotQ5_0
{
    internal static unsafe float Dot512(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        Span<float> d = stackalloc float[VecDotScales.Chunk];
        Vector512<float> acc = default;
        int blocks = n / 32;
        var format = Q5_0MatVec.Create();
        fixed (byte* px = x)
        fixed (byte* py = y)
        {
            for (int start = 0; start < blocks; start += VecDotScales.Chunk)
            {
                int count = Math.Min(VecDotScales.Chunk, blocks - start);
                VecDotScales.Products(ref px[start * XBytes], XBytes, ref py[start * YBytes], YBytes, count, d);
                int k = 0;
                for (; k + 2 <= count; k += 2)
                {
                    int b = start + k;
                    Vector512<int> sums = format.PairSumsNearEnd(px + b * XBytes, format.Pair(py + b * 34));
                    acc = VecDotInt8.Accumulate(acc, sums, d[k], d[k + 1]);
                }
                if (k < count)
                {
                    // An odd last block fills the low half; the high half's y is zero and its scale 0.
                    int b = start + k;
                    acc = VecDotInt8.Accumulate(acc, format.LastSums(px + b * XBytes, format.Last(py + b * 34)), d[k], 0);
                }
            }
        }
        return Vector512.Sum(acc);
    }
}
