using Wallfacer.Numerics.Kernels;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// Random weights quantized to a 32-element block type, random activations, and the products <see cref="VecDot.Dot"/>
/// gives them row by row: what a re-laid layout's kernels must reproduce bit for bit (<see cref="Q5_0SlicedTests"/>,
/// <see cref="Q8_0GroupedTests"/>).
/// </summary>
internal static class QuantizedProducts
{
    /// <summary>
    /// <paramref name="rows"/> rows of <paramref name="type"/> weights (values of a real model's magnitude, 0.02, so
    /// that fp16 scales are subnormal), <paramref name="tokens"/> activation rows in ±2, and expected[t·rows + r].
    /// </summary>
    public static (byte[] Weights, float[] X, float[] Expected) Make(GgmlType type, int rows, int columns, int tokens, Random random)
    {
        int rowBytes = (int)GgmlTypeInfo.RowBytes(type, columns);
        byte[] weights = new byte[rowBytes * rows];
        var values = new float[columns];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
                values[c] = (float)(random.NextDouble() * 2 - 1) * 0.02f;
            Quantizer.QuantizeRow(type, values, weights.AsSpan(r * rowBytes, rowBytes));
        }
        float[] x = Enumerable.Range(0, tokens * columns).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        var expected = new float[tokens * rows];
        var act = new byte[GgmlTypeInfo.RowBytes(GgmlType.Q8_0, columns)];
        for (int t = 0; t < tokens; t++)
        {
            Quantizer.QuantizeActivationRow(GgmlType.Q8_0, x.AsSpan(t * columns, columns), act);
            for (int r = 0; r < rows; r++)
                expected[t * rows + r] = VecDot.Dot(type, weights.AsSpan(r * rowBytes, rowBytes), act, columns);
        }
        return (weights, x, expected);
    }
}
