using System.Runtime.Intrinsics;
using Wallfacer.Numerics.Kernels;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// The vector forms of <see cref="GgmlDot"/> against their lane-by-lane definitions: bit-identical at every length
/// (the attention scores they produce feed an exponential, so the summation order is part of the contract).
/// </summary>
public class GgmlDotTests
{
    [Fact]
    public void HalfOrder_equals_its_lane_by_lane_definition_at_every_length()
    {
        var random = new Random(21);
        for (int n = 0; n <= 300; n++)
        {
            float[] x = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
            float[] y = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
            Assert.Equal(GgmlDot.HalfOrderReference(x, y), GgmlDot.HalfOrder(x, y));
        }
    }

    [Theory]
    [InlineData(64)]  // the vector path: one step per row
    [InlineData(48)]  // other widths go row by row
    [InlineData(128)]
    [InlineData(32)]  // one 32-element step per row: eight keys reduced together on AVX2
    [InlineData(96)]
    [InlineData(7)]
    public void HalfOrderRows_equals_HalfOrder_row_by_row(int width)
    {
        var random = new Random(width);
        foreach (int n in new[] { 0, 1, 3, 17, 128 })
        {
            // Magnitudes spread over six decades, so that a sum taken in another order rounds differently.
            float[] rows = Enumerable.Range(0, n * width + 5).Select(_ => (float)((random.NextDouble() * 4 - 2) * Math.Pow(10, random.Next(-3, 3)))).ToArray();
            float[] y = Enumerable.Range(0, width).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
            var results = new float[n];
            GgmlDot.HalfOrderRows(rows, width, y, results);
            for (int j = 0; j < n; j++)
                Assert.Equal(GgmlDot.HalfOrderReference(rows.AsSpan(j * width, width), y), results[j]);
        }
        Assert.Throws<ArgumentException>(() => GgmlDot.HalfOrderRows(new float[width], width, new float[width], new float[2]));
    }

    [Fact]
    public void HalfOrder_on_fp16_bits_equals_widening_first_at_every_length()
    {
        var random = new Random(22);
        for (int n = 0; n <= 300; n++)
        {
            ushort[] x = Enumerable.Range(0, n)
                .Select(i => HalfConvert.SingleToHalf(i % 13 == 7 ? 1e-6f : (float)(random.NextDouble() * 4 - 2))).ToArray();
            float[] wide = x.Select(HalfConvert.HalfToSingle).ToArray();
            float[] y = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
            float expected = GgmlDot.HalfOrderReference(wide, y);
            Assert.Equal(expected, GgmlDot.HalfOrder(x, y));
            Assert.Equal(expected, GgmlDot.HalfOrder(wide, y));
        }
    }

    [Fact]
    public void ReduceAdd16_on_a_vector_equals_the_span_form()
    {
        var random = new Random(23);
        for (int round = 0; round < 1000; round++)
        {
            float[] v = Enumerable.Range(0, 16).Select(_ => (float)(random.NextDouble() * 2e4 - 1e4) * (round % 3 == 0 ? 1e-3f : 1f)).ToArray();
            Assert.Equal(GgmlDot.ReduceAdd16(v), GgmlDot.ReduceAdd16(Vector512.Create(v)));
        }
    }
}
