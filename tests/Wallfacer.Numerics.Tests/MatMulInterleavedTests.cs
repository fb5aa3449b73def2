using Wallfacer.Numerics.Kernels;
using Wallfacer.Numerics.Quants;
using Wallfacer.Numerics.Threading;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// Interleaved Q4_0 weights (<see cref="Q4_0Interleaved"/>, <see cref="MatMulQ4_0Interleaved"/>) against one
/// <see cref="Q4_0BlockDot.Dot"/> per (row, token) on the original rows, bit for bit: every token count from one to a
/// prompt's (tiles of 8 and every remainder), rows that leave a short last group, odd block counts, 1–3 threads.
/// </summary>
public class MatMulInterleavedTests
{
    public static TheoryData<int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int blocks in new[] { 1, 3, 28 })
            foreach (int rows in new[] { 1, 16, 25, 37 })
                foreach (int tokens in new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 17, 23 })
                    data.Add(blocks * 32, rows, tokens);
        data.Add(152 * 32, 70, 1);  // Qwen2.5-0.5B's down projection width
        data.Add(152 * 32, 70, 4);
        data.Add(28 * 32, 300, 33);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public unsafe void Every_output_equals_the_block_sum_definition(int columns, int rows, int tokens)
    {
        if (!MatMulQ4_0Interleaved.IsSupported)
            return; // no AVX-512: models keep row-major Q4_0 (IsaTierTests re-runs this project per tier)
        var random = new Random(columns * 31 + rows * 7 + tokens);
        int rowBytes = (int)GgmlTypeInfo.RowBytes(GgmlType.Q4_0, columns);
        byte[] weights = GC.AllocateArray<byte>(rowBytes * rows, pinned: true);
        var values = new float[columns];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
                values[c] = (float)(random.NextDouble() * 2 - 1);
            Quantizer.QuantizeRow(GgmlType.Q4_0, values, weights.AsSpan(r * rowBytes, rowBytes));
        }
        float[] x = Enumerable.Range(0, tokens * columns).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        var act = new byte[(int)GgmlTypeInfo.RowBytes(GgmlType.Q8_0, columns)];
        var expected = new float[tokens * rows];
        for (int t = 0; t < tokens; t++)
        {
            Quantizer.QuantizeActivationRow(GgmlType.Q8_0, x.AsSpan(t * columns, columns), act);
            for (int r = 0; r < rows; r++)
                expected[t * rows + r] = Q4_0BlockDot.Dot(weights.AsSpan(r * rowBytes, rowBytes), act, columns);
        }

        fixed (byte* p = weights)
        {
            using var interleaved = new Q4_0Interleaved.Matrix(new WeightMatrix(GgmlType.Q4_0, rows, columns, p));
            Assert.Equal(Q4_0Interleaved.MatrixBytes(rows, columns), interleaved.Bytes);
            foreach (int threads in new[] { 1, 2, 3 })
            {
                using var pool = new WorkerPool(threads);
                var y = new float[tokens * rows];
                new MatMul().Multiply(interleaved.Weights, x, y, tokens, pool);
                Assert.Equal(expected, y);
            }
        }
    }

    [Fact]
    public unsafe void An_interleaved_matrix_has_no_rows_to_read()
    {
        byte[] weights = GC.AllocateArray<byte>(18 * 2, pinned: true);
        fixed (byte* p = weights)
        {
            using var interleaved = new Q4_0Interleaved.Matrix(new WeightMatrix(GgmlType.Q4_0, 2, 32, p));
            Assert.Throws<InvalidOperationException>(() => interleaved.Weights.Row(0).Length);
            var q8 = new WeightMatrix(GgmlType.Q8_0, 2, 32, p);
            Assert.Throws<ArgumentException>(() => new Q4_0Interleaved.Matrix(q8));
        }
    }
}
