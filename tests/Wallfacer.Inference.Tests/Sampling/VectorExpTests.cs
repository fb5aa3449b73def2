using System.Runtime.Intrinsics;
using Wallfacer.Inference.Sampling;

namespace Wallfacer.Inference.Tests.Sampling;

/// <summary>
/// The vector exp lanes against the scalar <see cref="PortableMath.Exp(double)"/>, bit for bit: every width (the
/// Vector512/256/128 forms run in software where the hardware lacks them), odd lengths for the driver's tails, and
/// the special values. Re-run with hardware features switched off by <see cref="SamplingIsaTierTests"/>.
/// </summary>
public class VectorExpTests
{
    /// <summary>Doubles around every edge of the scalar algorithm, and ordinary ones.</summary>
    public static readonly double[] SpecialInputs =
    [
        0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1e-300, -1e-300, double.Epsilon, -double.Epsilon, 1e-17, -1e-17,
        709.782712893383973096, Math.BitIncrement(709.782712893383973096), Math.BitDecrement(709.782712893383973096),
        -745.133219101941108420, Math.BitIncrement(-745.133219101941108420), Math.BitDecrement(-745.133219101941108420),
        709.0, 709.78, -708.39, -708.4, -720, -740, -744.44, -745.1, 710, -746, 1e308, -1e308, double.MaxValue, double.MinValue,
        double.PositiveInfinity, double.NegativeInfinity, double.NaN, BitConverter.Int64BitsToDouble(0x7FF0000000000001),
        0.5 * Math.Log(2), -0.5 * Math.Log(2), Math.Log(2), 88.72283935546875, -103.97208404541016, 1023 * Math.Log(2), -1022 * Math.Log(2),
    ];

    private static void AssertSameBits(double expected, double actual, double input)
    {
        if (double.IsNaN(expected))
        {
            Assert.True(double.IsNaN(actual), $"Exp({input:R}): expected NaN, got {actual:R}");
            return;
        }
        Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual),
            $"Exp({input:R}): scalar {expected:R} ({BitConverter.DoubleToInt64Bits(expected):X16}), vector {actual:R} ({BitConverter.DoubleToInt64Bits(actual):X16})");
    }

    private static double[] Inputs()
    {
        var random = new Random(17);
        var inputs = new List<double>(SpecialInputs);
        for (int i = 0; i < 20_000; i++) inputs.Add(random.NextDouble() * 1500 - 780);     // the whole range and past both ends
        for (int i = 0; i < 20_000; i++) inputs.Add(random.NextDouble() * 40 - 30);        // where logits minus their max live
        for (int i = 0; i < 2_000; i++) inputs.Add((random.NextDouble() - 0.5) * 1e-6);    // near zero
        for (int k = -1080; k <= 1030; k++) inputs.Add(k * Math.Log(2) + 0.5 * Math.Log(2)); // where floor(x·log2e + 0.5) turns
        while (inputs.Count % 8 != 0) inputs.Add(0.25);
        return [.. inputs];
    }

    [Fact]
    public void Every_vector_width_matches_the_scalar_exp_bit_for_bit()
    {
        double[] x = Inputs();
        for (int i = 0; i < x.Length; i += 8)
        {
            Vector512<double> v512 = PortableMath.Exp(Vector512.Create(x.AsSpan(i, 8)));
            for (int lane = 0; lane < 8; lane++) AssertSameBits(PortableMath.Exp(x[i + lane]), v512[lane], x[i + lane]);
            for (int h = 0; h < 8; h += 4)
            {
                Vector256<double> v256 = PortableMath.Exp(Vector256.Create(x.AsSpan(i + h, 4)));
                for (int lane = 0; lane < 4; lane++) AssertSameBits(PortableMath.Exp(x[i + h + lane]), v256[lane], x[i + h + lane]);
            }
            for (int q = 0; q < 8; q += 2)
            {
                Vector128<double> v128 = PortableMath.Exp(Vector128.Create(x.AsSpan(i + q, 2)));
                for (int lane = 0; lane < 2; lane++) AssertSameBits(PortableMath.Exp(x[i + q + lane]), v128[lane], x[i + q + lane]);
            }
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(7.25)]
    [InlineData(-3.1)]
    [InlineData(16.843217849731445)] // a float-valued maximum, as the samplers pass
    [InlineData(1000.0)]
    [InlineData(-1000.0)]
    public void ExpShifted_matches_the_scalar_exp_at_every_length(double shift)
    {
        var random = new Random(5);
        float[] values = new float[300];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 60 - 40);
        float[] specials = [float.NegativeInfinity, float.MaxValue, -float.MaxValue, float.Epsilon, -float.Epsilon, 0f, -0f, float.NaN,
            float.PositiveInfinity, 709.78f, -745.13f, 88.7f, -103.9f, 1e-30f];
        for (int i = 0; i < specials.Length; i++) values[i * 13 % values.Length] = specials[i];

        for (int length = 0; length <= values.Length; length = length < 80 ? length + 1 : length + 37)
        {
            for (int offset = 0; offset < 3 && offset + length <= values.Length; offset++)
            {
                ReadOnlySpan<float> input = values.AsSpan(offset, length);
                double[] actual = new double[length];
                PortableMath.ExpShifted(input, shift, actual);
                for (int i = 0; i < length; i++) AssertSameBits(PortableMath.Exp(input[i] - shift), actual[i], input[i] - shift);
            }
        }
    }

    [Fact]
    public void Exp_special_values_are_those_of_the_scalar_code()
    {
        float[] values = [float.NegativeInfinity, float.NaN, float.PositiveInfinity, float.MaxValue, -float.MaxValue, 0f, -0f, 710f, -746f];
        double[] e = new double[values.Length];
        PortableMath.ExpShifted(values, 0.0, e);
        Assert.Equal([0.0, double.NaN, double.PositiveInfinity, double.PositiveInfinity, 0.0, 1.0, 1.0, double.PositiveInfinity, 0.0], e);
        Assert.Equal(0L, BitConverter.DoubleToInt64Bits(e[0])); // +0, not −0
    }
}
