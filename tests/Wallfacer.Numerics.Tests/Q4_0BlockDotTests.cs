using Wallfacer.Numerics.Kernels;
using Wallfacer.Numerics.Quants;
using Wallfacer.Numerics.Threading;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// The block-sum definition (<see cref="Q4_0BlockDot"/>) against the exact product of the dequantized values, and the
/// prompt kernel (<see cref="MatMulQ4_0Blocks"/>) on the blocks that come closest to saturating its int16 partial sums.
/// </summary>
public class Q4_0BlockDotTests
{
    [Theory]
    [InlineData(32)]
    [InlineData(96)]
    [InlineData(4864)]
    public void Block_sums_are_the_exact_product_up_to_float_rounding(int columns)
    {
        var random = new Random(columns);
        byte[] weights = Quantized(GgmlType.Q4_0, Enumerable.Range(0, columns).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray());
        byte[] acts = Quantized(GgmlType.Q8_0, Enumerable.Range(0, columns).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray());
        double exact = 0, magnitude = 0;
        var w = Dequantized(GgmlType.Q4_0, weights, columns);
        var a = Dequantized(GgmlType.Q8_0, acts, columns);
        for (int c = 0; c < columns; c++)
        {
            exact += (double)w[c] * a[c];
            magnitude += Math.Abs((double)w[c] * a[c]);
        }
        float blockSums = Q4_0BlockDot.Dot(weights, acts, columns);
        // Dequantized values are d·q rounded to float; the definition multiplies dw·da once per block: a few ulps of Σ|w·a|.
        Assert.InRange(blockSums, exact - 1e-5 * magnitude, exact + 1e-5 * magnitude);
        Assert.InRange(VecDot.Dot(GgmlType.Q4_0, weights, acts, columns), exact - 1e-5 * magnitude, exact + 1e-5 * magnitude);
    }

    [Fact]
    public void Rejects_rows_shorter_than_the_columns() =>
        Assert.Throws<ArgumentException>(() => Q4_0BlockDot.Dot(new byte[18], new byte[34], 64));

    /// <summary>
    /// Every nibble 15 or 0 (weight 7 or −8) against activations all ±127: each int16 partial sum of the kernel holds
    /// sixteen products of 15·127, the largest it ever holds. Signs vary per block so that a saturated sum would show.
    /// </summary>
    [Fact]
    public unsafe void The_prompt_kernel_does_not_saturate_on_extreme_blocks()
    {
        const int blocks = 40, rows = 5, tokens = 35;
        const int columns = blocks * 32;
        byte[] weights = GC.AllocateArray<byte>(rows * blocks * 18, pinned: true);
        for (int r = 0; r < rows; r++)
            for (int b = 0; b < blocks; b++)
            {
                int at = (r * blocks + b) * 18;
                BitConverter.TryWriteBytes(weights.AsSpan(at), (ushort)0x3C00); // d = 1
                weights.AsSpan(at + 2, 16).Fill((r + b) % 3 == 0 ? (byte)0x00 : (byte)0xFF);
            }
        float[] x = new float[tokens * columns];
        for (int t = 0; t < tokens; t++)
            for (int c = 0; c < columns; c++)
                x[t * columns + c] = (c / 32 + t) % 2 == 0 ? 1f : -1f; // one magnitude per block: every quant ±127

        var expected = new float[tokens * rows];
        var act = new byte[blocks * 34];
        for (int t = 0; t < tokens; t++)
        {
            Quantizer.QuantizeActivationRow(GgmlType.Q8_0, x.AsSpan(t * columns, columns), act);
            for (int r = 0; r < rows; r++)
                expected[t * rows + r] = Q4_0BlockDot.Dot(weights.AsSpan(r * blocks * 18, blocks * 18), act, columns);
        }
        var matMul = new MatMul();
        if (!matMul.UsesBlockSums(GgmlType.Q4_0, tokens))
            return; // no AVX-512: the kernel does not run here (IsaTierTests re-runs this project per tier)
        using var pool = new WorkerPool(2);
        var y = new float[tokens * rows];
        fixed (byte* p = weights)
            matMul.Multiply(new WeightMatrix(GgmlType.Q4_0, rows, columns, p), x, y, tokens, pool);
        Assert.Equal(expected, y);
    }

    private static byte[] Quantized(GgmlType type, float[] values)
    {
        var bytes = new byte[GgmlTypeInfo.RowBytes(type, values.Length)];
        if (type == GgmlType.Q8_0)
            Quantizer.QuantizeActivationRow(type, values, bytes);
        else
            Quantizer.QuantizeRow(type, values, bytes);
        return bytes;
    }

    private static float[] Dequantized(GgmlType type, byte[] bytes, int columns)
    {
        var values = new float[columns];
        Dequantizer.DequantizeRow(type, bytes, values);
        return values;
    }
}
