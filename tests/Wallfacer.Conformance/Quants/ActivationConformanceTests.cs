using Wallfacer.Numerics.Quants;

namespace Wallfacer.Conformance.Quants;

/// <summary>
/// What llama.cpp's x86 CPU backend (libggml-cpu-haswell.so, AVX2) does in a matmul: the activation
/// quantizer (from_float) and the dot product (vec_dot). Quantized activations must match to the byte;
/// dot products to float rounding (summation order differs).
/// </summary>
public sealed unsafe class ActivationConformanceTests
{
    [RequiresGgmlTheory]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q8_1)]
    [InlineData(GgmlType.Q8_K)]
    public void Activation_quantizer_is_byte_identical_with_ggml_cpu(GgmlType type)
    {
        var native = QuantTestData.Native;
        Assert.True(native.HasCpu, "libggml-cpu-haswell.so could not be loaded (needs AVX2 and FMA)");
        var fromFloat = native.CpuTraits((int)type)->FromFloat;
        for (int seed = 0; seed < 4; seed++)
        {
            float[] x = QuantTestData.RandomFloats(2048, 40 + seed);
            byte[] ours = new byte[GgmlTypeInfo.RowBytes(type, x.Length)];
            byte[] theirs = new byte[ours.Length];
            Quantizer.QuantizeActivationRow(type, x, ours);
            fixed (float* src = x)
            fixed (byte* dst = theirs)
                fromFloat(src, dst, x.Length);
            QuantConformanceTests.AssertBytesEqual(theirs, ours, type);
        }
    }

    [RequiresGgmlTheory]
    [MemberData(nameof(QuantTestData.WeightTypes), MemberType = typeof(QuantTestData))]
    public void Dot_product_agrees_with_ggml_cpu(GgmlType weightType)
    {
        var native = QuantTestData.Native;
        Assert.True(native.HasCpu, "libggml-cpu-haswell.so could not be loaded (needs AVX2 and FMA)");
        GgmlNative.CpuTypeTraits* traits = native.CpuTraits((int)weightType);
        GgmlType activationType = VecDot.ActivationType(weightType);
        Assert.Equal((int)activationType, traits->VecDotType);
        const int n = 2048;
        for (int seed = 0; seed < 4; seed++)
        {
            byte[] w = new byte[GgmlTypeInfo.RowBytes(weightType, n)];
            byte[] a = new byte[GgmlTypeInfo.RowBytes(activationType, n)];
            Quantizer.QuantizeRow(weightType, QuantTestData.RandomFloats(n, 60 + seed), w);
            Quantizer.QuantizeActivationRow(activationType, QuantTestData.RandomFloats(n, 70 + seed), a);
            float theirs;
            fixed (byte* pw = w)
            fixed (byte* pa = a)
                traits->VecDot(n, &theirs, 0, pw, 0, pa, 0, 1);
            float ours = VecDot.Dot(weightType, w, a, n);
            float magnitude = AbsDot(weightType, w, activationType, a, n);
            Assert.True(MathF.Abs(ours - theirs) <= 1e-5f * magnitude + 1e-30f,
                $"{weightType}: ours {ours:R}, ggml {theirs:R} (Σ|w·x| = {magnitude:R})");
        }
    }

    /// <summary>Σ |w_i·x_i| of the dequantized rows: the scale that summation-order errors are relative to.</summary>
    private static float AbsDot(GgmlType wt, byte[] w, GgmlType at, byte[] a, int n)
    {
        var wf = new float[n];
        var af = new float[n];
        Dequantizer.DequantizeRow(wt, w, wf);
        Dequantizer.DequantizeRow(at, a, af);
        double sum = 0;
        for (int i = 0; i < n; i++)
            sum += Math.Abs((double)wf[i] * af[i]);
        return (float)sum;
    }
}
