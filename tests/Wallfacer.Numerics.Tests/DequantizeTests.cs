using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Tests;

/// <summary>Quantize → dequantize stays within per-type error budgets; exact cases are exact; bad rows are rejected.</summary>
public sealed class DequantizeTests
{
    /// <summary>
    /// Relative RMS error budgets for Gaussian data, a little above what llama.cpp's reference quantizers
    /// reach (bits per weight: Q2_K 2.6 … Q8_0 8.5).
    /// </summary>
    [Theory]
    [InlineData(GgmlType.F32, 0.0)]
    [InlineData(GgmlType.F16, 0.0005)]
    [InlineData(GgmlType.BF16, 0.004)]
    [InlineData(GgmlType.Q8_0, 0.006)]
    [InlineData(GgmlType.Q8_1, 0.006)]
    [InlineData(GgmlType.Q8_K, 0.008)]
    [InlineData(GgmlType.Q6_K, 0.02)]
    [InlineData(GgmlType.Q5_0, 0.05)]
    [InlineData(GgmlType.Q5_1, 0.05)]
    [InlineData(GgmlType.Q5_K, 0.04)]
    [InlineData(GgmlType.Q4_0, 0.11)]
    [InlineData(GgmlType.Q4_1, 0.11)]
    [InlineData(GgmlType.Q4_K, 0.08)]
    [InlineData(GgmlType.Q3_K, 0.2)]
    [InlineData(GgmlType.Q2_K, 0.4)]
    public void Round_trip_error_is_within_budget(GgmlType type, double budget)
    {
        float[] x = QuantTestInputs.Gaussian(8192, (int)type);
        float[] y = QuantTestInputs.Dequantize(type, QuantTestInputs.Quantize(type, x), x.Length);
        double err = 0, norm = 0;
        for (int i = 0; i < x.Length; i++)
        {
            err += (double)(x[i] - y[i]) * (x[i] - y[i]);
            norm += (double)x[i] * x[i];
        }
        double relative = Math.Sqrt(err / norm);
        Assert.True(relative <= budget, $"{type}: relative RMS error {relative:G4} exceeds {budget}");
    }

    [Fact]
    public void Q8_0_of_exact_multiples_round_trips_exactly()
    {
        var rng = new Random(9);
        const float d = 0.015625f; // 2^-6: exact in fp16, and k·d exact in float
        float[] x = new float[32 * 20];
        for (int i = 0; i < x.Length; i++)
            x[i] = rng.Next(-127, 128) * d;
        for (int b = 0; b < 20; b++)
            x[32 * b + b] = (b % 2 == 0 ? 127 : -127) * d; // each block's max magnitude is 127·d, so its scale is d
        foreach (bool activation in new[] { false, true })
        {
            float[] y = QuantTestInputs.Dequantize(GgmlType.Q8_0, QuantTestInputs.Quantize(GgmlType.Q8_0, x, activation), x.Length);
            Assert.Equal(x, y);
        }
    }

    [Theory]
    [MemberData(nameof(QuantTestInputs.QuantizableTypes), MemberType = typeof(QuantTestInputs))]
    public void All_zero_rows_stay_zero(GgmlType type)
    {
        float[] x = new float[512];
        float[] y = QuantTestInputs.Dequantize(type, QuantTestInputs.Quantize(type, x), x.Length);
        Assert.All(y, v => Assert.Equal(0f, Math.Abs(v)));
    }

    [Theory]
    [MemberData(nameof(QuantTestInputs.QuantizableTypes), MemberType = typeof(QuantTestInputs))]
    public void Unaligned_rows_decode_the_same(GgmlType type)
    {
        float[] x = QuantTestInputs.Gaussian(512, 4);
        byte[] q = QuantTestInputs.Quantize(type, x);
        byte[] shifted = new byte[q.Length + 3];
        q.CopyTo(shifted, 3);
        float[] aligned = QuantTestInputs.Dequantize(type, q, x.Length);
        float[] unaligned = new float[x.Length];
        Dequantizer.DequantizeRow(type, shifted.AsSpan(3), unaligned);
        Assert.Equal(aligned, unaligned);
    }

    [Fact]
    public void Wrong_row_sizes_are_rejected_with_a_clear_message()
    {
        var e = Assert.Throws<ArgumentException>(() => Dequantizer.DequantizeRow(GgmlType.Q4_K, new byte[143], new float[256]));
        Assert.Contains("144 bytes", e.Message);
        e = Assert.Throws<ArgumentException>(() => Quantizer.QuantizeRow(GgmlType.Q8_0, new float[33], new byte[34]));
        Assert.Contains("multiple of 32", e.Message);
        Assert.Throws<NotSupportedException>(() => Dequantizer.DequantizeRow(GgmlType.I32, new byte[4], new float[1]));
        Assert.Throws<NotSupportedException>(() => Dequantizer.DequantizeRow((GgmlType)99, new byte[4], new float[1]));
    }
}
