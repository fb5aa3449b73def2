using System.Runtime.Intrinsics;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// Float dot products summed in exactly the order llama.cpp's AVX-512 CPU build sums them, for the few places
/// where a last-ulp difference would be amplified (attention scores feed an exponential and a half-precision
/// accumulator). Each method names the ggml routine it mirrors.
/// </summary>
public static class GgmlDot
{
    private const int Lanes = 16;        // GGML_F32_EPR / GGML_F16_EPR with AVX-512
    private const int Accumulators = 4;  // GGML_F32_ARR
    private const int Step = Lanes * Accumulators;

    /// <summary>
    /// <c>ggml_vec_dot_f16</c> (ggml-cpu vec.cpp) on half-precision values already widened to float: four
    /// 16-lane FMA accumulators over each 64-element step, folded as (a0+a2)+(a1+a3), reduced like
    /// <c>_mm512_reduce_add_ps</c>, then the tail added in double.
    /// </summary>
    public static float HalfOrder(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int n = x.Length, np = n & ~(Step - 1);
        double sum = 0;
        if (np > 0)
        {
            // Each 16-lane accumulator is held as four Vector128s: lane arithmetic is identical.
            Span<Vector128<float>> acc = stackalloc Vector128<float>[Accumulators * 4];
            for (int i = 0; i < np; i += Step)
            {
                for (int q = 0; q < Accumulators * 4; q++)
                {
                    var a = Vector128.Create(x.Slice(i + q * 4, 4));
                    var b = Vector128.Create(y.Slice(i + q * 4, 4));
                    acc[q] = Vector128.FusedMultiplyAdd(a, b, acc[q]);
                }
            }
            Span<float> lanes = stackalloc float[Lanes];
            for (int q = 0; q < 4; q++)
            {
                // x[0] += x[2]; x[1] += x[3]; x[0] += x[1]  (accumulator j occupies acc[4j .. 4j+3])
                var v = (acc[q] + acc[8 + q]) + (acc[4 + q] + acc[12 + q]);
                v.CopyTo(lanes.Slice(q * 4, 4));
            }
            sum = ReduceAdd16(lanes);
        }
        for (int i = np; i < n; i++)
            sum += (double)(x[i] * y[i]);
        return (float)sum;
    }

    /// <summary>
    /// A sequential FMA chain <c>acc = fma(x[k], y[k], acc)</c> for k = 0…n−1 from zero, which is what each
    /// output of llama.cpp's <c>simd_gemm</c> (ggml-cpu simd-gemm.h) computes lane by lane.
    /// </summary>
    public static float SequentialFma(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        float acc = 0;
        for (int k = 0; k < x.Length; k++)
            acc = MathF.FusedMultiplyAdd(x[k], y[k], acc);
        return acc;
    }

    /// <summary>
    /// Sum of 16 floats in <c>_mm512_reduce_add_ps</c>'s order (GCC's definition): fold the upper 256 bits onto
    /// the lower, then the upper 128 onto the lower, then lanes {2,3} onto {0,1}, then lane 1 onto lane 0.
    /// </summary>
    public static float ReduceAdd16(ReadOnlySpan<float> v)
    {
        Span<float> t = stackalloc float[8];
        for (int i = 0; i < 8; i++)
            t[i] = v[i + 8] + v[i];
        Span<float> u = stackalloc float[4];
        for (int i = 0; i < 4; i++)
            u[i] = t[i + 4] + t[i];
        float w0 = u[0] + u[2], w1 = u[1] + u[3];
        return w0 + w1;
    }
}
