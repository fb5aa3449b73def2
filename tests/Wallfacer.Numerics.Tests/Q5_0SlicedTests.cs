using Wallfacer.Numerics.Kernels;
using Wallfacer.Numerics.Quants;
using Wallfacer.Numerics.Threading;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// Sliced Q5_0 (<see cref="Q5_0Sliced"/>): the re-laying loses nothing, its vector form equals the element-by-element
/// one, and products with sliced weights are bit-identical to <see cref="VecDot.Dot"/> on the file's rows.
/// </summary>
public unsafe class Q5_0SlicedTests
{
    private static byte[] RandomBlocks(int rows, int columns, int seed)
    {
        // Any bytes are a valid layout to slice (scales included): every bit must survive.
        var bytes = new byte[rows * columns / 32 * BlockQ5_0.BlockBytes];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [InlineData(1, 128)]
    [InlineData(3, 896)]
    [InlineData(5, 4864)]
    public void Slicing_then_unslicing_gives_back_every_byte(int rows, int columns)
    {
        byte[] original = RandomBlocks(rows, columns, rows * columns);
        var sliced = new byte[original.Length];
        var back = new byte[original.Length];
        fixed (byte* o = original)
        fixed (byte* s = sliced)
        fixed (byte* b = back)
        {
            Q5_0Sliced.Slice(o, s, rows, columns);
            Q5_0Sliced.Unslice(s, b, rows, columns);
        }
        Assert.NotEqual(original, sliced);
        Assert.Equal(original, back);
    }

    [Fact]
    public void The_vector_slicing_equals_the_element_by_element_one()
    {
        if (!System.Runtime.Intrinsics.X86.Avx2.IsSupported)
            return;
        byte[] blocks = RandomBlocks(64, 128, 7); // 64 groups
        var scalar = new byte[Q5_0Sliced.GroupBytes];
        var vector = new byte[Q5_0Sliced.GroupBytes];
        fixed (byte* p = blocks)
        fixed (byte* s = scalar)
        fixed (byte* v = vector)
            for (int g = 0; g < 64; g++)
            {
                Q5_0Sliced.SliceGroup(p + g * Q5_0Sliced.GroupBytes, s);
                Q5_0Sliced.SliceGroup256(p + g * Q5_0Sliced.GroupBytes, v);
                Assert.Equal(scalar, vector);
            }
    }

    [Theory]
    [InlineData(100)]
    [InlineData(896 + 32)]
    [InlineData(0)]
    public void Rows_that_are_not_whole_groups_are_refused_naming_the_columns(int columns)
    {
        var e = Assert.Throws<ArgumentException>(() => Q5_0Sliced.Slice(null, null, 1, columns));
        Assert.Contains($"{columns} columns", e.Message);
        Assert.False(Q5_0Sliced.Fits(columns));
    }

    public static TheoryData<int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int>();
        // Rows 1–9: the four-row steps and their remainders; tokens 1 (the one-token kernel), 2–8 (one tile), 9 and 17
        // (a full tile and a remainder); 128, 896 and 4864 columns: one group, Qwen2.5-0.5B's rows.
        foreach (int columns in new[] { 128, 896, 4864 })
            foreach (int rows in new[] { 1, 3, 4, 5, 9 })
                foreach (int tokens in new[] { 1, 2, 3, 5, 8, 9, 17 })
                    if (columns != 4864 || (rows == 5 && tokens is 1 or 9))
                        data.Add(columns, rows, tokens);
        // Several row panels and token blocks (CacheBlocking: 11 rows, 120 tokens at 8192 columns), the last block's tile short.
        data.Add(8192, 19, 130);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Products_with_sliced_weights_equal_the_dot_product_of_the_file_rows(int columns, int rows, int tokens)
    {
        var (weights, x, expected) = QuantizedProducts.Make(GgmlType.Q5_0, rows, columns, tokens, new Random(columns + 31 * rows + 7 * tokens));

        fixed (byte* keep = weights)
        {
            using var sliced = new Q5_0Sliced.Matrix(new WeightMatrix(GgmlType.Q5_0, rows, columns, keep));
            foreach (int threads in new[] { 1, 2 })
            {
                using var pool = new WorkerPool(threads);
                var y = new float[tokens * rows];
                var matMul = new MatMul();
                if (!Q5_0Sliced.PreferredForOneSequence)
                {
                    // Machines whose Q5_0 kernels are not the 256-bit ones refuse the layout instead of misreading it.
                    Assert.Throws<NotSupportedException>(() => matMul.Multiply(sliced.Weights, x, y, tokens, pool));
                    continue;
                }
                matMul.Multiply(sliced.Weights, x, y, tokens, pool);
                Assert.Equal(expected, y);
            }
        }
    }
}
