using Wallfacer.Numerics.Kernels;
using Wallfacer.Numerics.Quants;
using Wallfacer.Numerics.Threading;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// The batched matrix product against one dot product per (row, token): every output must be bit-identical to
/// <see cref="VecDot.Dot"/> on the same quantized activations, whatever the tiling, batch or thread count.
/// </summary>
public class MatMulTests
{
    public static TheoryData<GgmlType, int, int, int> Shapes()
    {
        var data = new TheoryData<GgmlType, int, int, int>();
        foreach (var type in new[] { GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.Q5_0, GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.F32 })
        {
            int unit = GgmlTypeInfo.BlockSize(type) == 1 ? 32 : GgmlTypeInfo.BlockSize(type);
            // 16, 17, 32 and 152 blocks cover the full and partial 16-block scale chunks of MatVecQ8Rows (one token)
            // and MatMulFewTokens (2–8 tokens); 9 tokens take the prompt tiles. With AVX2 every token count from 1 to 8 is
            // its own unrolled tile of the row kernels (MatVecRows256, pairs and a single in MatVecKRows256), 9 a tile of
            // 8 and one token. MatVecKRows256 meets runs four tokens at a time in tiles of 16 (12 from ten super-blocks
            // on): 13, 15 and 17 tokens add the multi-tile and mixed quad/pair/single cases.
            bool kQuant = type is GgmlType.Q4_K or GgmlType.Q6_K;
            foreach (int blocks in new[] { 1, 2, 3, 5, 16, 17, 28, 32, 152 })
                foreach (int rows in new[] { 1, 3, 4, 9, 37 })
                    foreach (int tokens in new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 15, 17 })
                        if (tokens > 9)
                        {
                            if (kQuant && ((blocks <= 3 && rows == 9) || (blocks == 17 && rows == 3)))
                                data.Add(type, blocks * unit, rows, tokens);
                        }
                        else if (rows == 37 ? type is GgmlType.Q4_0 or GgmlType.Q8_0 && tokens == 1 && blocks is 5 or 17 or 32 // several row groups per chunk and a remainder
                            : (type is GgmlType.Q4_0 or GgmlType.Q8_0 && (blocks is < 16 or 28 || tokens <= MatMul.MaxFewTokens)) || (blocks <= 3 && rows == 9))
                            data.Add(type, blocks * unit, rows, tokens);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public unsafe void Every_output_equals_the_single_dot_product(GgmlType type, int columns, int rows, int tokens)
    {
        var random = new Random(columns * 31 + rows * 7 + tokens);
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
        int actBytes = (int)GgmlTypeInfo.RowBytes(actType, columns);
        var expected = new float[tokens * rows];
        var act = new byte[actBytes];
        for (int t = 0; t < tokens; t++)
        {
            Quantizer.QuantizeActivationRow(actType, x.AsSpan(t * columns, columns), act);
            for (int r = 0; r < rows; r++)
                expected[t * rows + r] = GgmlFloatDot.Covers(type)
                    ? GgmlFloatDot.Dot(type, weights.AsSpan(r * rowBytes, rowBytes), act, columns, batched: tokens > 1)
                    : VecDot.Dot(type, weights.AsSpan(r * rowBytes, rowBytes), act, columns);
        }

        foreach (int threads in new[] { 1, 2 })
        {
            using var pool = new WorkerPool(threads);
            var y = new float[tokens * rows];
            var matMul = new MatMul { BatchInvariant = true }; // Q4_0 prompts otherwise take block sums (MatMulPromptTilesTests)
            fixed (byte* p = weights)
                matMul.Multiply(new WeightMatrix(type, rows, columns, p), x, y, tokens, pool);
            Assert.Equal(expected, y);
        }
    }
}
