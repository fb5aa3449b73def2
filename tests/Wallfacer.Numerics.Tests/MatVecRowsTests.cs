using Wallfacer.Numerics.Kernels;
using Wallfacer.Numerics.Quants;
using Wallfacer.Numerics.Threading;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// The one-token row kernels: with AVX-512 those of the Q4_K_M mix (Q5_0 through MatVecQ8Rows, Q4_K and Q6_K through
/// MatVecKRows; Q4_0 and Q8_0 take their own tiles), with AVX2 MatVecRows256 (Q4_0, Q5_0, Q8_0) and MatVecKRows256
/// (Q4_K, Q6_K): every output bit-identical to <see cref="VecDot.Dot"/> and close to the scalar reference, at row counts
/// that leave remainder rows (groups of 4) and block counts that leave partial scale chunks (8 or 16 blocks), at 1 and
/// 2 threads. The per-tier child runs cover the AVX2 kernels on AVX-512 machines and the dot products below AVX2.
/// </summary>
public sealed class MatVecRowsTests
{
    public static TheoryData<GgmlType, int, int> Shapes()
    {
        var data = new TheoryData<GgmlType, int, int>();
        foreach (int blocks in new[] { 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 28, 33 })
            foreach (int rows in new[] { 1, 3, 4, 5, 9, 14, 24, 37 })
                foreach (var type in new[] { GgmlType.Q4_0, GgmlType.Q5_0, GgmlType.Q8_0 })
                    data.Add(type, blocks * 32, rows);
        foreach (var type in new[] { GgmlType.Q4_K, GgmlType.Q6_K })
            foreach (int blocks in new[] { 1, 2, 3, 4, 7, 19 })
                foreach (int rows in new[] { 1, 3, 4, 5, 9, 14 })
                    data.Add(type, blocks * 256, rows);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public unsafe void One_token_equals_the_dot_product_and_is_near_the_reference(GgmlType type, int columns, int rows)
    {
        var random = new Random(columns * 131 + rows);
        int rowBytes = (int)GgmlTypeInfo.RowBytes(type, columns);
        byte[] weights = GC.AllocateArray<byte>(rowBytes * rows, pinned: true);
        for (int r = 0; r < rows; r++)
            Quantizer.QuantizeRow(type, QuantTestInputs.Gaussian(columns, random.Next()), weights.AsSpan(r * rowBytes, rowBytes));
        float[] x = QuantTestInputs.Gaussian(columns, random.Next(), 2);
        byte[] act = QuantTestInputs.Quantize(VecDot.ActivationType(type), x, activation: true);

        var expected = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<byte> row = weights.AsSpan(r * rowBytes, rowBytes);
            expected[r] = VecDot.Dot(type, row, act, columns);
            float reference = VecDot.Reference(type, row, act, columns);
            Assert.True(Math.Abs(expected[r] - reference) <= 1e-4f * (1 + Math.Abs(reference)), $"{type} row {r}: {expected[r]:R} vs reference {reference:R}");
        }
        foreach (int threads in new[] { 1, 2 })
        {
            using var pool = new WorkerPool(threads);
            var y = new float[rows];
            fixed (byte* p = weights)
                new MatMul().Multiply(new WeightMatrix(type, rows, columns, p), x, y, 1, pool);
            Assert.Equal(expected, y);
        }
    }

    [Fact]
    public unsafe void A_smaller_matrix_after_a_larger_one_reuses_the_scratch_correctly()
    {
        // The Q5_0 activation scales are padded with zeros past the row; a shorter row after a longer one must not
        // see the longer row's scales there.
        using var pool = new WorkerPool(1);
        var matMul = new MatMul();
        foreach (int columns in new[] { 40 * 32, 7 * 32 })
        {
            int rowBytes = (int)GgmlTypeInfo.RowBytes(GgmlType.Q5_0, columns);
            byte[] weights = GC.AllocateArray<byte>(rowBytes * 4, pinned: true);
            for (int r = 0; r < 4; r++)
                Quantizer.QuantizeRow(GgmlType.Q5_0, QuantTestInputs.Gaussian(columns, r), weights.AsSpan(r * rowBytes, rowBytes));
            float[] x = QuantTestInputs.Gaussian(columns, 99);
            byte[] act = QuantTestInputs.Quantize(GgmlType.Q8_0, x, activation: true);
            var y = new float[4];
            fixed (byte* p = weights)
                matMul.Multiply(new WeightMatrix(GgmlType.Q5_0, 4, columns, p), x, y, 1, pool);
            for (int r = 0; r < 4; r++)
                Assert.Equal(VecDot.Dot(GgmlType.Q5_0, weights.AsSpan(r * rowBytes, rowBytes), act, columns), y[r]);
        }
    }
}
