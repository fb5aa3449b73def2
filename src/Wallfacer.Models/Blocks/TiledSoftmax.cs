using System.Runtime.Intrinsics;
using Wallfacer.Numerics.Kernels;

namespace Wallfacer.Models.Blocks;

/// <summary>
/// <c>ggml_vec_soft_max_f32</c> over one 64-key tile of llama.cpp's tiled flash attention: each score becomes
/// e^(s − max) with ggml's vectorized exponential, and the sum is taken per 16 lanes (keys past the tile's end count
/// as zeros) in <c>_mm512_reduce_add_ps</c>'s order and accumulated in double.
/// </summary>
internal static class TiledSoftmax
{
    private const int Lanes = 16;

    /// <summary>Replaces scores[0…count) by their exponentials; returns their sum.</summary>
    public static double ExponentiateTile(float[] scores, int count, float max) =>
        GgmlExp.VectorIsSupported && scores.Length % Lanes == 0
            ? ExponentiateVector(scores, count, max)
            : ExponentiateScalar(scores, count, max);

    /// <summary>The vector form: the exponential is lane-identical to the scalar one and the sums add the same pairs.</summary>
    private static double ExponentiateVector(float[] scores, int count, float max)
    {
        var maxes = Vector512.Create(max);
        var laneIndex = Vector512.Create(0f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        double sum = 0;
        for (int start = 0; start < scores.Length; start += Lanes)
        {
            var inside = Vector512.LessThan(laneIndex, Vector512.Create((float)(count - start)));
            var e = Vector512.ConditionalSelect(inside, GgmlExp.Exp(Vector512.Create(scores.AsSpan(start, Lanes)) - maxes), Vector512<float>.Zero);
            e.CopyTo(scores.AsSpan(start, Lanes));
            sum += GgmlDot.ReduceAdd16(e);
        }
        return sum;
    }

    /// <summary>The scalar definition.</summary>
    internal static double ExponentiateScalar(float[] scores, int count, float max)
    {
        Span<float> lanes = stackalloc float[Lanes];
        double sum = 0;
        for (int start = 0; start < scores.Length; start += Lanes)
        {
            for (int l = 0; l < Lanes; l++)
            {
                int j = start + l;
                lanes[l] = j < count ? GgmlExp.Exp(scores[j] - max) : 0f;
                if (j < count)
                    scores[j] = lanes[l];
            }
            sum += GgmlDot.ReduceAdd16(lanes);
        }
        return sum;
    }
}
