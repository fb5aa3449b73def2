using Wallfacer.Numerics.Kernels;
using Wallfacer.Numerics.Quants;
using Wallfacer.Numerics.Threading;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// The prompt kernels (batches of more than <see cref="MatMul.MaxFewTokens"/> tokens: MatMulQ8Tiles for Q4_0/Q8_0,
/// MatMulLaneTiles for Q5_0/Q4_K/Q6_K) against one <see cref="VecDot.Dot"/> per (row, token), bit for bit, on shapes
/// that leave partial row tiles (rows not a multiple of 4), partial token tiles and token pairs, odd block counts
/// (a lone last block pair), several token blocks, several row panels, and 1, 2 or 3 threads. With AVX-512 off
/// (IsaTierTests re-runs this project) the kernels step aside and the same assertions cover the fallbacks
/// (per-(row, token) dot products). The lane tiles are also compared with the path they replace for prompts, the
/// one-token row kernels once per token (<c>MatMul.UseLaneTiles = false</c>).
/// </summary>
public class MatMulPromptTilesTests
{
    public static TheoryData<GgmlType, int, int, int> Shapes()
    {
        var data = new TheoryData<GgmlType, int, int, int>();
        foreach (var type in new[] { GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.Q5_0 })
            foreach (int blocks in new[] { 1, 3, 28, 153 })
                foreach (int rows in new[] { 1, 5, 9 })
                    foreach (int tokens in new[] { 9, 14, 37 })
                        data.Add(type, blocks * 32, rows, tokens);
        foreach (var type in new[] { GgmlType.Q4_K, GgmlType.Q6_K })
            foreach (int blocks in new[] { 1, 3, 19 })
                foreach (int rows in new[] { 1, 5, 9 })
                    foreach (int tokens in new[] { 9, 14, 37 })
                        data.Add(type, blocks * 256, rows, tokens);
        // More tokens than one token block holds (MatMulQ8Tiles keeps a block's activations to ~256 KiB, the lane
        // tiles to ~2 MiB), with several step blocks per row tile (the lane tiles keep a tile's weights to ~24 KiB).
        data.Add(GgmlType.Q6_K, 19 * 256, 6, 70);
        data.Add(GgmlType.Q4_K, 19 * 256, 3, 70);
        data.Add(GgmlType.Q5_0, 153 * 32, 7, 130);
        data.Add(GgmlType.Q4_K, 32 * 256, 3, 181);
        data.Add(GgmlType.Q6_K, 32 * 256, 5, 181);
        data.Add(GgmlType.Q5_0, 255 * 32, 5, 181);
        // Rows split into many small chunks at 3 threads (chunk ends inside a row tile), the Qwen2.5-0.5B widths.
        data.Add(GgmlType.Q5_0, 896, 18, 11);
        data.Add(GgmlType.Q6_K, 4864, 18, 11);
        data.Add(GgmlType.Q4_K, 2048, 18, 11);
        // Chunks of rows longer than one Q8-tile panel (about 128 KiB of weights), ending in a partial tile.
        data.Add(GgmlType.Q4_0, 153 * 32, 83, 37);
        // Q4_0 block sums: token groups of 16 (one full pair of groups, then a lone group), blocks in chunks of 16
        // (exactly one, one plus one block), several panels of rows.
        data.Add(GgmlType.Q4_0, 16 * 32, 6, 48);
        data.Add(GgmlType.Q4_0, 17 * 32, 13, 33);
        data.Add(GgmlType.Q4_0, 64 * 32, 70, 16);
        data.Add(GgmlType.Q8_0, 153 * 32, 83, 37);
        // The AVX2 row kernels' cache blocking (CacheBlocking): several row panels and token blocks at once, a block
        // ending in a short tile (Q8_0: 7-row panels, 128-token blocks, so 135 tokens end in a block of 7; Q4_K/Q6_K:
        // 14- and 9-row panels, 24-token blocks of 12-token tiles, and 25 tokens leave a last block of one token, which
        // takes the one-token rows).
        data.Add(GgmlType.Q8_0, 255 * 32, 17, 135);
        data.Add(GgmlType.Q5_0, 255 * 32, 13, 135);
        data.Add(GgmlType.Q4_K, 32 * 256, 31, 60);
        data.Add(GgmlType.Q4_K, 32 * 256, 31, 25);
        data.Add(GgmlType.Q6_K, 32 * 256, 20, 60);
        // Activation rows a multiple of 1 KiB long, which the AVX2 kernels' aligned copies pad by a cache line.
        data.Add(GgmlType.Q8_0, 64 * 32, 5, 19);
        data.Add(GgmlType.Q5_0, 32 * 32, 6, 11);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_output_equals_the_single_dot_product(GgmlType type, int columns, int rows, int tokens)
    {
        var matMul = new MatMul();
        // Q4_0 prompts take the block sums where AVX-512 is present, each output then Q4_0BlockDot's.
        var (weights, x, expected) = Case(type, columns, rows, tokens, matMul.UsesBlockSums(type, tokens)
            ? (w, a) => Q4_0BlockDot.Dot(w, a, columns)
            : (w, a) => VecDot.Dot(type, w, a, columns));
        Assert.Equal(expected, Multiply(matMul, type, weights, rows, columns, x, tokens));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void A_batch_invariant_product_equals_the_single_dot_product(GgmlType type, int columns, int rows, int tokens)
    {
        if (type is not (GgmlType.Q4_0 or GgmlType.Q8_0))
            return; // the other types have one format only, covered above
        var matMul = new MatMul { BatchInvariant = true };
        Assert.False(matMul.UsesBlockSums(type, tokens));
        var (weights, x, expected) = Case(type, columns, rows, tokens, (w, a) => VecDot.Dot(type, w, a, columns));
        Assert.Equal(expected, Multiply(matMul, type, weights, rows, columns, x, tokens));
    }

    [Fact]
    public void Q4_0_prompts_take_the_block_sums_where_AVX_512_is_present()
    {
        var matMul = new MatMul();
        Assert.Equal(VecDotInt8.Use512, matMul.UsesBlockSums(GgmlType.Q4_0, MatMul.MaxFewTokens + 1));
        Assert.False(matMul.UsesBlockSums(GgmlType.Q4_0, MatMul.MaxFewTokens)); // decode steps keep VecDot's lane sums
        Assert.False(matMul.UsesBlockSums(GgmlType.Q8_0, 512));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Lane_tiles_equal_the_row_kernels(GgmlType type, int columns, int rows, int tokens)
    {
        if (type is GgmlType.Q4_0 or GgmlType.Q8_0)
            return; // no lane tiles
        var (weights, x, expected) = Case(type, columns, rows, tokens, (w, a) => VecDot.Dot(type, w, a, columns));
        float[] rowKernels = Multiply(new MatMul { UseLaneTiles = false }, type, weights, rows, columns, x, tokens);
        Assert.Equal(expected, rowKernels);
        Assert.Equal(rowKernels, Multiply(new MatMul { UseLaneTiles = true }, type, weights, rows, columns, x, tokens));
    }

    private delegate float RowDot(ReadOnlySpan<byte> weightRow, ReadOnlySpan<byte> activationRow);

    /// <summary>Random weights and activations of the shape, and the expected products, one <paramref name="dot"/> per (token, row).</summary>
    private static (byte[] Weights, float[] X, float[] Expected) Case(GgmlType type, int columns, int rows, int tokens, RowDot dot)
    {
        var random = new Random(columns * 31 + rows * 7 + tokens + (int)type);
        int rowBytes = (int)GgmlTypeInfo.RowBytes(type, columns);
        byte[] weights = GC.AllocateArray<byte>(rowBytes * rows, pinned: true);
        var values = new float[columns];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
                values[c] = (float)(random.NextDouble() * 2 - 1);
            Quantizer.QuantizeRow(type, values, weights.AsSpan(r * rowBytes, rowBytes));
        }
        float[] x = Enumerable.Range(0, tokens * columns).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();

        var actType = VecDot.ActivationType(type);
        var act = new byte[(int)GgmlTypeInfo.RowBytes(actType, columns)];
        var expected = new float[tokens * rows];
        for (int t = 0; t < tokens; t++)
        {
            Quantizer.QuantizeActivationRow(actType, x.AsSpan(t * columns, columns), act);
            for (int r = 0; r < rows; r++)
                expected[t * rows + r] = dot(weights.AsSpan(r * rowBytes, rowBytes), act);
        }
        return (weights, x, expected);
    }

    /// <summary>The product at 1, 2 and 3 threads, which must agree bit for bit; returns it.</summary>
    private static unsafe float[] Multiply(MatMul matMul, GgmlType type, byte[] weights, int rows, int columns, float[] x, int tokens)
    {
        float[]? first = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            using var pool = new WorkerPool(threads);
            var y = new float[tokens * rows];
            fixed (byte* p = weights)
                matMul.Multiply(new WeightMatrix(type, rows, columns, p), x, y, tokens, pool);
            if (first is not null)
                Assert.Equal(first, y);
            first = y;
        }
        return first!;
    }
}
