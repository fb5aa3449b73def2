namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// The exponential llama.cpp's CPU backend uses inside its vectorized SiLU and softmax (ggml-cpu vec.h,
/// <c>ggml_v_expf</c>, AVX-512 variant): a range reduction to <c>2^n · e^b</c> and a degree-5 polynomial,
/// accurate to about 1.5 ulp. Wallfacer computes SiLU and the prompt-path softmax with the same arithmetic so
/// that activations agree with llama.cpp to the bit instead of to the last ulp — a one-ulp difference can flip
/// the rounding of a half-precision or quantized value downstream and grow into a visible logit difference.
/// </summary>
public static class GgmlExp
{
    // The constants are ggml's hexadecimal float literals, written in decimal (each converts to the same float).
    private const float Shift = 12582912f; // 0x1.8p23
    private const float Log2E = 1.442695f; // 0x1.715476p+0
    private const float Ln2Low = 1.4286068e-06f; // 0x1.7f7d1cp-20
    private const float Ln2High = 0.69314575f; // 0x1.62e4p-1
    private const float C5 = 0.00824739f; // 0x1.0e4020p-7
    private const float C4 = 0.041899767f; // 0x1.573e2ep-5
    private const float C3 = 0.16668396f; // 0x1.555e66p-3
    private const float C2 = 0.49999127f; // 0x1.fffdb6p-2
    private const float C1 = 0.9999994f; // 0x1.ffffecp-1

    /// <summary>e^x as llama.cpp's AVX-512 <c>ggml_v_expf</c> computes it, lane by lane.</summary>
    public static float Exp(float x)
    {
        float z = MathF.FusedMultiplyAdd(x, Log2E, Shift);
        float n = z - Shift;                                   // round(x · log2 e)
        float b = MathF.FusedMultiplyAdd(-n, Ln2Low, MathF.FusedMultiplyAdd(-n, Ln2High, x)); // x − n·ln 2
        if (float.IsNaN(n))
            return float.NaN;
        if (MathF.Abs(n) > 192f)
            return n <= 0 ? 0f : float.PositiveInfinity;
        float u = b * b;
        float j = MathF.FusedMultiplyAdd(
            MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(C5, b, C4), u, MathF.FusedMultiplyAdd(C3, b, C2)),
            u,
            MathF.FusedMultiplyAdd(C1, b, 1.0f));
        return MathF.ScaleB(j, (int)n); // _mm512_scalef_ps(j, n): j · 2^n
    }

    /// <summary>SiLU as llama.cpp's vectorized <c>ggml_v_silu</c>: <c>x / (1 + e^(0 − x))</c>.</summary>
    public static float Silu(float x) => x / (1.0f + Exp(0.0f - x));
}
