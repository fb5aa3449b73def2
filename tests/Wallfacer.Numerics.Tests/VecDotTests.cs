using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// Each dot product: the fast path against the scalar reference at every block count, and the reference
/// against a double-precision dot of the dequantized rows (which catches layout mistakes in both).
/// </summary>
public sealed class VecDotTests
{
    [Theory]
    [MemberData(nameof(QuantTestInputs.WeightTypes), MemberType = typeof(QuantTestInputs))]
    public void Fast_path_matches_reference_and_dequantized_dot_at_every_length(GgmlType weightType)
    {
        GgmlType activationType = VecDot.ActivationType(weightType);
        int block = Math.Max(GgmlTypeInfo.BlockSize(weightType), GgmlTypeInfo.BlockSize(activationType));
        int maxBlocks = block == 1 ? 300 : block == 32 ? 40 : 9;
        for (int blocks = 1; blocks <= maxBlocks; blocks++)
        {
            int n = blocks * block;
            byte[] w = QuantTestInputs.Quantize(weightType, QuantTestInputs.Gaussian(n, blocks));
            byte[] a = QuantTestInputs.Quantize(activationType, QuantTestInputs.Gaussian(n, 1000 + blocks), activation: true);
            float fast = VecDot.Dot(weightType, w, a, n);
            float reference = VecDot.Reference(weightType, w, a, n);
            (double exact, double magnitude) = DequantizedDot(weightType, w, activationType, a, n);
            Assert.True(Math.Abs(fast - reference) <= 2e-6 * magnitude, $"{weightType} n={n}: fast {fast:R} vs reference {reference:R}");
            Assert.True(Math.Abs(reference - exact) <= 2e-6 * magnitude, $"{weightType} n={n}: reference {reference:R} vs dequantized {exact:R}");
        }
    }

    [Theory]
    [MemberData(nameof(QuantTestInputs.WeightTypes), MemberType = typeof(QuantTestInputs))]
    public void Unaligned_rows_give_the_same_dot(GgmlType weightType)
    {
        GgmlType activationType = VecDot.ActivationType(weightType);
        const int n = 512;
        byte[] w = QuantTestInputs.Quantize(weightType, QuantTestInputs.Gaussian(n, 1));
        byte[] a = QuantTestInputs.Quantize(activationType, QuantTestInputs.Gaussian(n, 2));
        byte[] ws = new byte[w.Length + 1], as1 = new byte[a.Length + 3];
        w.CopyTo(ws, 1);
        a.CopyTo(as1, 3);
        Assert.Equal(VecDot.Dot(weightType, w, a, n), VecDot.Dot(weightType, ws.AsSpan(1), as1.AsSpan(3), n));
    }

    [Fact]
    public void Activation_types_follow_llama_cpp()
    {
        Assert.Equal(GgmlType.Q8_0, VecDot.ActivationType(GgmlType.Q4_0));
        Assert.Equal(GgmlType.Q8_0, VecDot.ActivationType(GgmlType.Q5_0));
        Assert.Equal(GgmlType.Q8_1, VecDot.ActivationType(GgmlType.Q4_1));
        Assert.Equal(GgmlType.Q8_1, VecDot.ActivationType(GgmlType.Q5_1));
        Assert.Equal(GgmlType.Q8_K, VecDot.ActivationType(GgmlType.Q3_K));
        Assert.Equal(GgmlType.BF16, VecDot.ActivationType(GgmlType.BF16));
        Assert.Throws<NotSupportedException>(() => VecDot.ActivationType(GgmlType.Q8_K));
    }

    [Fact]
    public void Mismatched_rows_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => VecDot.Dot(GgmlType.Q4_0, new byte[18], new byte[33], 32));
        Assert.Contains("activationRow", e.Message);
        Assert.Throws<ArgumentException>(() => VecDot.Dot(GgmlType.Q6_K, new byte[210], new byte[292], 255));
    }

    private static (double Dot, double Magnitude) DequantizedDot(GgmlType wt, byte[] w, GgmlType at, byte[] a, int n)
    {
        float[] wf = QuantTestInputs.Dequantize(wt, w, n), af = QuantTestInputs.Dequantize(at, a, n);
        double dot = 0, magnitude = 0;
        for (int i = 0; i < n; i++)
        {
            dot += (double)wf[i] * af[i];
            magnitude += Math.Abs((double)wf[i] * af[i]);
        }
        if (at == GgmlType.Q8_1)
            dot += StoredSumCorrection(w, GgmlTypeInfo.TypeSize(wt), a, af);
        return (dot, magnitude + 1e-30);
    }

    /// <summary>
    /// Q4_1/Q5_1 · Q8_1 use the activation block's stored s (fp16 of d·Σq), not the exact sum, for the
    /// weights' min term, as ggml does: replace m·Σx by m·s per block.
    /// </summary>
    private static double StoredSumCorrection(byte[] w, int weightBlockBytes, byte[] a, float[] af)
    {
        double correction = 0;
        for (int b = 0; b < af.Length / 32; b++)
        {
            double m = HalfConvert.HalfToSingle(BitConverter.ToUInt16(w, b * weightBlockBytes + 2));
            double s = HalfConvert.HalfToSingle(BitConverter.ToUInt16(a, b * 36 + 2));
            double exactSum = 0;
            for (int i = 0; i < 32; i++)
                exactSum += af[32 * b + i];
            correction += m * (s - exactSum);
        }
        return correction;
    }
}
