using Wallfacer.Numerics.Kernels;
using Wallfacer.Numerics.Quants;
using Wallfacer.Numerics.Threading;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// Grouped Q8_0 (<see cref="Q8_0Grouped"/>): grouping loses nothing and leaves a last partial group's absent rows zero,
/// and products with grouped weights — one token (the four-row kernel and its single rows) and prompts (the token
/// tiles over ungrouped panels) — are bit-identical to <see cref="VecDot.Dot"/> on the file's rows at any thread count.
/// </summary>
public unsafe class Q8_0GroupedTests
{
    private static byte[] RandomRows(int rows, int columns, int seed)
    {
        // Any bytes are a valid layout to group (scales included): every bit must survive.
        var bytes = new byte[rows * columns / 32 * BlockQ8_0.BlockBytes];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [InlineData(1, 32)]
    [InlineData(3, 96)]
    [InlineData(4, 896)]
    [InlineData(9, 2048)]
    public void Grouping_then_reading_each_row_back_gives_the_file_rows(int rows, int columns)
    {
        byte[] original = RandomRows(rows, columns, rows * columns);
        int rowBytes = columns / 32 * BlockQ8_0.BlockBytes;
        var grouped = new byte[Q8_0Grouped.MatrixBytes(rows, columns)];
        new Random(1).NextBytes(grouped); // whatever was there before: the absent rows must come out zero
        var row = new byte[rowBytes];
        fixed (byte* o = original)
        fixed (byte* g = grouped)
        {
            Q8_0Grouped.Group(o, 0, rows, rows, columns, g);
            for (int r = 0; r < rows; r++)
            {
                Q8_0Grouped.ReadRow(g, r, columns, row);
                Assert.Equal(original.AsSpan(r * rowBytes, rowBytes).ToArray(), row);
            }
            for (int absent = rows; absent % Q8_0Grouped.GroupRows != 0; absent++)
            {
                Q8_0Grouped.ReadRow(g, absent, columns, row);
                Assert.All(row, b => Assert.Equal(0, b));
            }
        }
        if (rows > 1)
            Assert.NotEqual(original, grouped.AsSpan(0, original.Length).ToArray()); // reordered, not copied
    }

    [Fact]
    public void A_chunk_that_does_not_start_a_group_is_refused_naming_the_row()
    {
        var e = Assert.Throws<ArgumentException>(() => Q8_0Grouped.Group(null, 6, 4, 12, 64, null));
        Assert.Contains("row 6", e.Message);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(0)]
    public void Rows_that_are_not_whole_blocks_are_refused_naming_the_columns(int columns)
    {
        var e = Assert.Throws<ArgumentException>(() => Q8_0Grouped.MatrixBytes(4, columns));
        Assert.Contains($"{columns} columns", e.Message);
        Assert.False(Q8_0Grouped.Fits(columns));
    }

    [Theory]
    [InlineData(1, 11)]
    [InlineData(3, 13)]
    [InlineData(2, 3)]
    public void A_row_range_starting_inside_a_group_gets_exactly_its_rows_dot_products(int start, int end)
    {
        // The worker pool cuts chunks of 4 rows or more at multiples of 4, so MatMul never starts a range inside a group;
        // the kernel still must (its rows before the next group go one at a time).
        if (!Q8_0Grouped.PreferredForOneSequence)
            return;
        const int rows = 13, columns = 96, blocks = columns / 32;
        var random = new Random(start * 100 + end);
        int rowBytes = (int)GgmlTypeInfo.RowBytes(GgmlType.Q8_0, columns);
        byte[] weights = new byte[rowBytes * rows];
        for (int r = 0; r < rows; r++)
            Quantizer.QuantizeRow(GgmlType.Q8_0, Enumerable.Range(0, columns).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray(),
                weights.AsSpan(r * rowBytes, rowBytes));
        var act = new byte[rowBytes];
        Quantizer.QuantizeActivationRow(GgmlType.Q8_0, Enumerable.Range(0, columns).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray(), act);
        var dx = new float[blocks + 16]; // the kernel's activation scales: floats, then zeros
        for (int b = 0; b < blocks; b++)
            dx[b] = HalfConvert.HalfToSingle(BitConverter.ToUInt16(act, b * BlockQ8_0.BlockBytes));
        var y = new float[rows];
        fixed (byte* keep = weights)
        fixed (byte* a = act)
        fixed (float* s = dx)
        fixed (float* py = y)
        {
            using var grouped = new Q8_0Grouped.Matrix(new WeightMatrix(GgmlType.Q8_0, rows, columns, keep));
            MatVecRows256<Q8_0GroupedRows256, System.Runtime.Intrinsics.Vector256<sbyte>>.Run(grouped.Weights.Data, rowBytes, start, end, blocks, a, s, py);
        }
        for (int r = 0; r < rows; r++)
            Assert.Equal(r >= start && r < end ? VecDot.Dot(GgmlType.Q8_0, weights.AsSpan(r * rowBytes, rowBytes), act, columns) : 0f, y[r]);
    }

    public static TheoryData<int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int>();
        // Rows 1–9: the four-row groups, a last partial group and the rows of a worker's range that start or end inside
        // a group (two threads split odd counts); tokens 1 (the one-token kernel), 2–8 (one tile), 9 and 17 (a full
        // tile and a remainder); 32, 96 and 896 columns: one block, a partial scale chunk, Qwen2.5-0.5B's rows.
        foreach (int columns in new[] { 32, 96, 896 })
            foreach (int rows in new[] { 1, 3, 4, 5, 7, 9 })
                foreach (int tokens in new[] { 1, 2, 3, 5, 8, 9, 17 })
                    data.Add(columns, rows, tokens);
        // Several row panels and token blocks (CacheBlocking: 7 rows, 120 tokens at 8192 columns), the last panel and tile short.
        data.Add(8192, 19, 130);
        data.Add(2048, 61, 1);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Products_with_grouped_weights_equal_the_dot_product_of_the_file_rows(int columns, int rows, int tokens)
    {
        var (weights, x, expected) = QuantizedProducts.Make(GgmlType.Q8_0, rows, columns, tokens, new Random(columns + 31 * rows + 7 * tokens));

        fixed (byte* keep = weights)
        {
            using var grouped = new Q8_0Grouped.Matrix(new WeightMatrix(GgmlType.Q8_0, rows, columns, keep));
            Assert.Equal(WeightLayout.Q8_0Grouped, grouped.Weights.Layout);
            foreach (int threads in new[] { 1, 2 })
            {
                using var pool = new WorkerPool(threads);
                var y = new float[tokens * rows];
                var matMul = new MatMul();
                if (!Q8_0Grouped.PreferredForOneSequence)
                {
                    // Machines whose Q8_0 kernels are not the 256-bit ones refuse the layout instead of misreading it.
                    Assert.Throws<NotSupportedException>(() => matMul.Multiply(grouped.Weights, x, y, tokens, pool));
                    continue;
                }
                matMul.Multiply(grouped.Weights, x, y, tokens, pool);
                Assert.Equal(expected, y);
            }
        }
    }
}
