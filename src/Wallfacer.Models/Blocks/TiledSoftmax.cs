using System.Runtime.Intrinsics;
using Wallfacer.Numerics.Kernels;

namespace Wallfacer.Models.Blocks;

/// <summary>
/// <c>ggml_vec_soft_max_f32</c> over one 64-key tile of llama.cpp's tiled flash attention: each score becomes
/// e^(s − max) with ggml's vectorized exponential, and the sum is taken per vector of the llama.cpp build's width
/// (keys past the tile's end count as zeros) and accumulated in double: 16 lanes in <c>_mm512_reduce_add_ps</c>'s
/// order with AVX-512, 8 lanes in its AVX2 <c>hsum</c> order (<see cref="GgmlBuild.Avx2Order"/>).
/// </summary>
internal static class TiledSoftmax
{
    /// <summary>Replaces scores[0…count) by their exponentials; returns their sum.</summary>
    public static double ExponentiateTile(float[] scores, int count, float max)
    {
        if (scores.Length % 16 == 0)
        {
            if (GgmlBuild.Avx2Order && GgmlExp.Vector256IsSupported)
                return ExponentiateVector8(scores, count, max);
            if (!GgmlBuild.Avx2Order && GgmlExp.VectorIsSupported)
                return ExponentiateVector16(scores, count, max);
        }
        return ExponentiateScalar(scores, count, max);
    }

    /// <summary>The AVX-512 build's form: the exponential is lane-identical to the scalar one and the sums add the same pairs.</summary>
    private static double ExponentiateVector16(float[] scores, int count, float max)
    {
        var maxes = Vector512.Create(max);
        var laneIndex = Vector512.Create(0f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        double sum = 0;
        for (int start = 0; start < scores.Length; start += 16)
        {
            var inside = Vector512.LessThan(laneIndex, Vector512.Create((float)(count - start)));
            var e = Vector512.ConditionalSelect(inside, GgmlExp.Exp(Vector512.Create(scores.AsSpan(start, 16)) - maxes), Vector512<float>.Zero);
            e.CopyTo(scores.AsSpan(start, 16));
            sum += GgmlDot.ReduceAdd16(e);
        }
        return sum;
    }

    /// <summary>The AVX2 build's form, eight lanes at a time.</summary>
    private static double ExponentiateVector8(float[] scores, int count, float max)
    {
        var maxes = Vector256.Create(max);
        var laneIndex = Vector256.Create(0f, 1, 2, 3, 4, 5, 6, 7);
        double sum = 0;
        for (int start = 0; start < scores.Length; start += 8)
        {
            var inside = Vector256.LessThan(laneIndex, Vector256.Create((float)(count - start)));
            var e = Vector256.ConditionalSelect(inside, GgmlExp.Exp(Vector256.Create(scores.AsSpan(start, 8)) - maxes), Vector256<float>.Zero);
            e.CopyTo(scores.AsSpan(start, 8));
            sum += GgmlDot8.Hsum(e);
        }
        return sum;
    }

    /// <summary>The scalar definition.</summary>
    internal static double ExponentiateScalar(float[] scores, int count, float max)
    {
        int width = GgmlBuild.F32VectorWidth;
        Span<float> lanes = stackalloc float[width];
        double sum = 0;
        for (int start = 0; start < scores.Length; start += width)
        {
            for (int l = 0; l < width; l++)
            {
                int j = start + l;
                lanes[l] = j < count ? GgmlExp.Exp(scores[j] - max) : 0f;
                if (j < count)
                    scores[j] = lanes[l];
            }
            sum += width == 8 ? GgmlDot8.Hsum(lanes) : GgmlDot.ReduceAdd16(lanes);
        }
        return sum;
    }
}
