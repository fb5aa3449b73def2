using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// The exponential llama.cpp's CPU backend uses inside its vectorized SiLU and softmax (ggml-cpu vec.h,
/// <c>ggml_v_expf</c>): a range reduction to <c>2^n · e^b</c> and a degree-5 polynomial, accurate to about 1.5 ulp.
/// Wallfacer computes SiLU and the prompt-path softmax with the same arithmetic so that activations agree with
/// llama.cpp to the bit instead of to the last ulp — a one-ulp difference can flip the rounding of a half-precision or
/// quantized value downstream and grow into a visible logit difference. The AVX-512 and AVX2 builds write the last
/// steps differently (<c>vscalefps</c> of 1 + p(b), against k + k·p'(b) with k = 2^n from exponent bits), so
/// <see cref="Exp(float)"/> follows the build llama.cpp runs here (<see cref="GgmlBuild.Avx2Order"/>).
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

    /// <summary>e^x as the <c>ggml_v_expf</c> of the llama.cpp build that runs on this processor computes it, lane by lane.</summary>
    public static float Exp(float x) => GgmlBuild.Avx2Order ? ExpAvx2Build(x) : ExpAvx512Build(x);

    /// <summary>e^x as llama.cpp's AVX-512 <c>ggml_v_expf</c> computes it, lane by lane.</summary>
    internal static float ExpAvx512Build(float x)
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

    /// <summary>
    /// e^x as llama.cpp's AVX2 <c>ggml_v_expf</c> computes it, lane by lane: the same reduction and polynomial but
    /// for its last term (C1·b instead of 1 + C1·b), then k + k·p with k = 2^n made from z's bits; past |n| = 126 the
    /// power is split in two (s1·(s2 + s2·p)), past 192 it saturates (s1·s1).
    /// </summary>
    internal static float ExpAvx2Build(float x)
    {
        float z = MathF.FusedMultiplyAdd(x, Log2E, Shift);
        float n = z - Shift;
        float b = MathF.FusedMultiplyAdd(-n, Ln2Low, MathF.FusedMultiplyAdd(-n, Ln2High, x));
        int e = BitConverter.SingleToInt32Bits(z) << 23;
        float k = BitConverter.Int32BitsToSingle(e + OneBits);
        float u = b * b;
        float j = MathF.FusedMultiplyAdd(
            MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(C5, b, C4), u, MathF.FusedMultiplyAdd(C3, b, C2)),
            u,
            C1 * b);
        float magnitude = MathF.Abs(n);
        if (!(magnitude > 126f))
            return MathF.FusedMultiplyAdd(k, j, k);
        int g = n <= 0f ? unchecked((int)0x82000000u) : 0;
        float s1 = BitConverter.Int32BitsToSingle(unchecked(g + 0x7f000000)); // wraps, as the 32-bit lanes do
        float s2 = BitConverter.Int32BitsToSingle(unchecked(e - g));
        return magnitude > 192f ? s1 * s1 : MathF.FusedMultiplyAdd(s2, j, s2) * s1;
    }

    private const int OneBits = 0x3F800000; // 1.0f

    /// <summary>SiLU as llama.cpp's vectorized <c>ggml_v_silu</c>: <c>x / (1 + e^(0 − x))</c>.</summary>
    public static float Silu(float x) => x / (1.0f + Exp(0.0f - x));

    /// <summary>True when <see cref="Exp(Vector512{float})"/> runs in hardware (it needs <c>vscalefps</c>).</summary>
    public static bool VectorIsSupported => Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    /// <summary>
    /// <see cref="ExpAvx512Build(float)"/> on sixteen lanes, operation for operation (<c>vscalefps</c> is
    /// <see cref="MathF.ScaleB"/> with one rounding), so every lane equals the scalar result. Runs only on AVX-512
    /// hardware, where llama.cpp runs its AVX-512 build.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        var shift = Vector512.Create(Shift);
        Vector512<float> z = Vector512.FusedMultiplyAdd(x, Vector512.Create(Log2E), shift);
        Vector512<float> n = z - shift;
        Vector512<float> b = Vector512.FusedMultiplyAdd(-n, Vector512.Create(Ln2Low), Vector512.FusedMultiplyAdd(-n, Vector512.Create(Ln2High), x));
        Vector512<float> u = b * b;
        Vector512<float> j = Vector512.FusedMultiplyAdd(
            Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.Create(C5), b, Vector512.Create(C4)), u,
                Vector512.FusedMultiplyAdd(Vector512.Create(C3), b, Vector512.Create(C2))),
            u,
            Vector512.FusedMultiplyAdd(Vector512.Create(C1), b, Vector512<float>.One));
        Vector512<float> scaled = Avx512F.Scale(j, n);
        // |n| > 192 (false for NaN): 0 below, +inf above, as the scalar form.
        Vector512<float> outside = Vector512.GreaterThan(Vector512.Abs(n), Vector512.Create(192f));
        Vector512<float> saturated = Vector512.ConditionalSelect(Vector512.LessThanOrEqual(n, Vector512<float>.Zero),
            Vector512<float>.Zero, Vector512.Create(float.PositiveInfinity));
        return Vector512.ConditionalSelect(outside, saturated, scaled);
    }

    /// <summary><see cref="Silu(float)"/> on sixteen lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Silu(Vector512<float> x) => x / (Vector512<float>.One + Exp(Vector512<float>.Zero - x));

    /// <summary>True when <see cref="Exp(Vector256{float})"/> runs in hardware (AVX2 and FMA).</summary>
    public static bool Vector256IsSupported => Avx2.IsSupported && Fma.IsSupported && Vector256.IsHardwareAccelerated;

    /// <summary><see cref="Exp(float)"/> on eight lanes (the form of the build llama.cpp runs here).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x) => GgmlBuild.Avx2Order ? ExpAvx2Build(x) : ExpAvx512Build(x);

    /// <summary><see cref="ExpAvx2Build(float)"/> on eight lanes, as ggml writes it (the split power only when a lane needs it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> ExpAvx2Build(Vector256<float> x)
    {
        var shift = Vector256.Create(Shift);
        Vector256<float> z = Vector256.FusedMultiplyAdd(x, Vector256.Create(Log2E), shift);
        Vector256<float> n = z - shift;
        Vector256<float> b = Vector256.FusedMultiplyAdd(-n, Vector256.Create(Ln2Low), Vector256.FusedMultiplyAdd(-n, Vector256.Create(Ln2High), x));
        Vector256<int> e = Vector256.ShiftLeft(z.AsInt32(), 23);
        Vector256<float> k = (e + Vector256.Create(OneBits)).AsSingle();
        Vector256<float> magnitude = Vector256.Abs(n);
        Vector256<float> c = Vector256.GreaterThan(magnitude, Vector256.Create(126f));
        Vector256<float> u = b * b;
        Vector256<float> j = Vector256.FusedMultiplyAdd(
            Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.Create(C5), b, Vector256.Create(C4)), u,
                Vector256.FusedMultiplyAdd(Vector256.Create(C3), b, Vector256.Create(C2))),
            u,
            Vector256.Create(C1) * b);
        Vector256<float> normal = Vector256.FusedMultiplyAdd(k, j, k);
        if (c == Vector256<float>.Zero)
            return normal;
        Vector256<int> g = Vector256.LessThanOrEqual(n, Vector256<float>.Zero).AsInt32() & Vector256.Create(unchecked((int)0x82000000u));
        Vector256<float> s1 = (g + Vector256.Create(0x7f000000)).AsSingle();
        Vector256<float> s2 = (e - g).AsSingle();
        Vector256<float> d = Vector256.GreaterThan(magnitude, Vector256.Create(192f));
        Vector256<float> split = Vector256.FusedMultiplyAdd(s2, j, s2) * s1;
        return Vector256.ConditionalSelect(d, s1 * s1, Vector256.ConditionalSelect(c, split, normal));
    }

    /// <summary>
    /// <see cref="ExpAvx512Build(float)"/> on eight lanes without <c>vscalefps</c>: j·2^n as (j·2^⌊n/2⌋)·2^(n−⌊n/2⌋). For
    /// |n| ≤ 192 both powers are normal floats and the first product is exact, so the one rounding is the second
    /// product's — <see cref="MathF.ScaleB"/>'s — and every lane equals the scalar result.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> ExpAvx512Build(Vector256<float> x)
    {
        var shift = Vector256.Create(Shift);
        Vector256<float> z = Vector256.FusedMultiplyAdd(x, Vector256.Create(Log2E), shift);
        Vector256<float> n = z - shift;
        Vector256<float> b = Vector256.FusedMultiplyAdd(-n, Vector256.Create(Ln2Low), Vector256.FusedMultiplyAdd(-n, Vector256.Create(Ln2High), x));
        Vector256<float> u = b * b;
        Vector256<float> j = Vector256.FusedMultiplyAdd(
            Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.Create(C5), b, Vector256.Create(C4)), u,
                Vector256.FusedMultiplyAdd(Vector256.Create(C3), b, Vector256.Create(C2))),
            u,
            Vector256.FusedMultiplyAdd(Vector256.Create(C1), b, Vector256<float>.One));
        // Lanes outside ±192 are replaced below; clamping keeps their powers well-formed meanwhile.
        Vector256<int> k = Vector256.ConvertToInt32(Vector256.Min(Vector256.Max(n, Vector256.Create(-192f)), Vector256.Create(192f)));
        Vector256<int> k1 = Vector256.ShiftRightArithmetic(k, 1), k2 = k - k1;
        Vector256<float> scaled = j * PowerOfTwo(k1) * PowerOfTwo(k2);
        Vector256<float> outside = Vector256.GreaterThan(Vector256.Abs(n), Vector256.Create(192f));
        Vector256<float> saturated = Vector256.ConditionalSelect(Vector256.LessThanOrEqual(n, Vector256<float>.Zero),
            Vector256<float>.Zero, Vector256.Create(float.PositiveInfinity));
        return Vector256.ConditionalSelect(outside, saturated, scaled);
    }

    /// <summary>2^k for k in [−126, 127], built from its exponent bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> PowerOfTwo(Vector256<int> k) => Vector256.ShiftLeft(k + Vector256.Create(127), 23).AsSingle();

    /// <summary><see cref="Silu(float)"/> on eight lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Silu(Vector256<float> x) => x / (Vector256<float>.One + Exp(Vector256<float>.Zero - x));
}
