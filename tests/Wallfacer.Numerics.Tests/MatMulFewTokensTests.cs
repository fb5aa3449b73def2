using Wallfacer.Numerics.Kernels;
using Wallfacer.Numerics.Quants;
using Wallfacer.Numerics.Threading;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// The few-token kernel (a continuous batch's decode step) against its scalar reference and the single dot product:
/// every (row, token) output must equal <see cref="VecDot.Dot"/> to the bit, so batching never changes a sequence's
/// logits. Odd block counts (a lone last block), partial 16-block scale chunks, row counts that leave rows outside
/// groups of four, and token counts that leave 1–3 tokens after groups of four are all covered.
/// </summary>
public class MatMulFewTokensTests
{
    public static TheoryData<GgmlType, int, int, int> Shapes()
    {
        var data = new TheoryData<GgmlType, int, int, int>();
        foreach (var type in new[] { GgmlType.Q4_0, GgmlType.Q8_0 })
            foreach (int blocks in new[] { 1, 2, 3, 5, 15, 16, 17, 28, 33, 152 })
                foreach (int rows in new[] { 4, 5, 9, 12 })
                    foreach (int tokens in new[] { 2, 3, 4, 5, 8 })
                        if (blocks is 1 or 3 or 17 or 28 || rows == 9)
                            data.Add(type, blocks, rows, tokens);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public unsafe void Kernel_equals_reference_and_single_dot_product(GgmlType type, int blocks, int rows, int tokens)
    {
        var (weights, act, rowBytes, actRowBytes) = Inputs(type, blocks, rows, tokens);
        int columns = blocks * 32;
        var expected = new float[tokens * rows];
        for (int t = 0; t < tokens; t++)
            for (int r = 0; r < rows; r++)
            {
                var row = weights.AsSpan(r * rowBytes, rowBytes);
                var x = act.AsSpan(t * actRowBytes, actRowBytes);
                float reference = Reference(type, row, x, blocks);
                float dot = VecDot.Dot(type, row, x, columns);
                expected[t * rows + r] = reference;
                if (VecDotInt8.Use512)
                    Assert.Equal(dot, reference); // the reference is the AVX-512 dot product's arithmetic
                else
                    Assert.Equal(dot, reference, MathF.Abs(dot) * 1e-5f + 1e-4f); // other tiers sum lanes differently
            }
        if (!IsSupported(type))
            return;

        // The whole range, and a split that leaves a group of four straddling the two halves.
        var y = new float[tokens * rows];
        Run(type, weights, act, rowBytes, actRowBytes, blocks, rows, tokens, y, 0, rows);
        Assert.Equal(expected, y);
        Array.Clear(y);
        int split = Math.Min(rows, 3);
        Run(type, weights, act, rowBytes, actRowBytes, blocks, rows, tokens, y, 0, split);
        Run(type, weights, act, rowBytes, actRowBytes, blocks, rows, tokens, y, split, rows);
        Assert.Equal(expected, y);
    }

    [Theory]
    [InlineData(GgmlType.Q4_0)]
    [InlineData(GgmlType.Q8_0)]
    public unsafe void A_token_gets_the_same_outputs_batched_or_alone(GgmlType type)
    {
        const int blocks = 28, rows = 12, columns = blocks * 32;
        var random = new Random(5);
        int rowBytes = (int)GgmlTypeInfo.RowBytes(type, columns);
        byte[] weights = GC.AllocateArray<byte>(rowBytes * rows, pinned: true);
        var values = new float[columns];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
                values[c] = (float)(random.NextDouble() * 2 - 1);
            Quantizer.QuantizeRow(type, values, weights.AsSpan(r * rowBytes, rowBytes));
        }
        float[] x = Enumerable.Range(0, 8 * columns).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        using var pool = new WorkerPool(2);
        var alone = new float[rows];
        fixed (byte* p = weights)
        {
            var w = new WeightMatrix(type, rows, columns, p);
            for (int tokens = 1; tokens <= 8; tokens++)
            {
                var batched = new float[tokens * rows];
                new MatMul().Multiply(w, x, batched, tokens, pool);
                for (int t = 0; t < tokens; t++)
                {
                    new MatMul().Multiply(w, x.AsSpan(t * columns, columns), alone, 1, pool);
                    Assert.Equal(alone, batched.AsSpan(t * rows, rows).ToArray());
                }
            }
        }
    }

    private static (byte[] Weights, byte[] Act, int RowBytes, int ActRowBytes) Inputs(GgmlType type, int blocks, int rows, int tokens)
    {
        int columns = blocks * 32;
        var random = new Random(blocks * 131 + rows * 17 + tokens);
        int rowBytes = (int)GgmlTypeInfo.RowBytes(type, columns);
        // Exactly the matrix's bytes: the kernel must not read past them (its last rows use padded copies).
        byte[] weights = GC.AllocateArray<byte>(rowBytes * rows, pinned: true);
        var values = new float[columns];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
                values[c] = (float)(random.NextDouble() * 2 - 1) * (r % 3 == 2 ? 1e-3f : 1f);
            Quantizer.QuantizeRow(type, values, weights.AsSpan(r * rowBytes, rowBytes));
        }
        int actRowBytes = (int)GgmlTypeInfo.RowBytes(GgmlType.Q8_0, columns);
        byte[] act = GC.AllocateArray<byte>(actRowBytes * tokens, pinned: true);
        for (int t = 0; t < tokens; t++)
        {
            for (int c = 0; c < columns; c++)
                values[c] = (float)(random.NextDouble() * 4 - 2);
            Quantizer.QuantizeActivationRow(GgmlType.Q8_0, values, act.AsSpan(t * actRowBytes, actRowBytes));
        }
        return (weights, act, rowBytes, actRowBytes);
    }

    private static bool IsSupported(GgmlType type) => type == GgmlType.Q4_0
        ? MatMulFewTokens<Q4_0FewTokens, System.Runtime.Intrinsics.Vector512<byte>>.IsSupported
        : MatMulFewTokens<Q8_0FewTokens, Q8_0Unpacked>.IsSupported;

    private static float Reference(GgmlType type, ReadOnlySpan<byte> row, ReadOnlySpan<byte> act, int blocks) => type == GgmlType.Q4_0
        ? MatMulFewTokens<Q4_0FewTokens, System.Runtime.Intrinsics.Vector512<byte>>.Reference(row, act, blocks)
        : MatMulFewTokens<Q8_0FewTokens, Q8_0Unpacked>.Reference(row, act, blocks);

    private static unsafe void Run(GgmlType type, byte[] weights, byte[] act, int rowBytes, int actRowBytes, int blocks, int rows,
        int tokens, float[] y, int start, int end)
    {
        if (type == GgmlType.Q4_0)
            Run<Q4_0FewTokens, System.Runtime.Intrinsics.Vector512<byte>>(weights, act, rowBytes, actRowBytes, blocks, rows, tokens, y, start, end);
        else
            Run<Q8_0FewTokens, Q8_0Unpacked>(weights, act, rowBytes, actRowBytes, blocks, rows, tokens, y, start, end);
    }

    private static unsafe void Run<TFormat, TWeights>(byte[] weights, byte[] act, int rowBytes, int actRowBytes, int blocks, int rows,
        int tokens, float[] y, int start, int end)
        where TFormat : struct, IFewTokensFormat<TWeights>
        where TWeights : struct
    {
        byte[] prepared = GC.AllocateArray<byte>((int)MatMulFewTokens<TFormat, TWeights>.PreparedBytes(tokens, blocks), pinned: true);
        float[] scratch = GC.AllocateArray<float>(MatMulFewTokens<TFormat, TWeights>.ScratchFloats(blocks), pinned: true);
        fixed (byte* w = weights)
        fixed (byte* a = act)
        fixed (byte* p = prepared)
        fixed (float* s = scratch)
        fixed (float* py = y)
        {
            MatMulFewTokens<TFormat, TWeights>.Prepare(a, actRowBytes, tokens, blocks, p);
            MatMulFewTokens<TFormat, TWeights>.Run(w, rowBytes, start, end, blocks, p, tokens, py, rows, a, actRowBytes, s, rows);
        }
    }
}

/// <summary>The half-precision value accumulator of generation-path attention against its scalar loops.</summary>
public class HalfAccumulatorTests
{
    [Fact]
    public void Vector_paths_equal_the_scalar_loops_at_every_length()
    {
        var random = new Random(11);
        for (int n = 0; n <= 70; n++)
        {
            float[] x = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray();
            float[] start = Enumerable.Range(0, n).Select(i => i % 7 == 3 ? 70000f : (float)(random.NextDouble() * 2 - 1)).ToArray();
            float scale = (float)random.NextDouble() * 3;
            float[] fast = (float[])start.Clone(), slow = (float[])start.Clone();
            HalfAccumulator.MultiplyAdd(x, scale, fast);
            HalfAccumulator.MultiplyAddReference(x, scale, slow);
            Assert.Equal(slow, fast);
            HalfAccumulator.Scale(fast, 0.37f);
            HalfAccumulator.ScaleReference(slow, 0.37f);
            Assert.Equal(slow, fast);
        }
    }

    [Fact]
    public void The_fp16_input_overload_equals_widening_first_at_every_length()
    {
        var random = new Random(12);
        for (int n = 0; n <= 70; n++)
        {
            ushort[] x = Enumerable.Range(0, n).Select(i => HalfConvert.SingleToHalf(i % 11 == 5 ? 3e-6f : (float)(random.NextDouble() * 8 - 4))).ToArray();
            float[] wide = x.Select(HalfConvert.HalfToSingle).ToArray();
            float[] start = Enumerable.Range(0, n).Select(i => i % 7 == 3 ? 70000f : (float)(random.NextDouble() * 2 - 1)).ToArray();
            float scale = (float)random.NextDouble() * 3;
            float[] fast = (float[])start.Clone(), slow = (float[])start.Clone();
            HalfAccumulator.MultiplyAdd(x, scale, fast);
            HalfAccumulator.MultiplyAddReference(wide, scale, slow);
            Assert.Equal(slow, fast);
        }
    }

    [Theory]
    [InlineData(64, 64)]
    [InlineData(128, 192)] // two 64-lane passes, rows further apart than they are wide
    [InlineData(80, 96)]   // a 16-lane remainder
    [InlineData(24, 24)]   // not a multiple of 16: row by row
    public void Many_rows_at_once_equal_one_scale_and_update_per_row(int width, int stride)
    {
        var random = new Random(width + stride);
        foreach (int n in new[] { 0, 1, 5, 37 })
        {
            ushort[] rows = Enumerable.Range(0, Math.Max(0, (n - 1) * stride + width))
                .Select(i => HalfConvert.SingleToHalf(i % 13 == 4 ? 3e-6f : (float)(random.NextDouble() * 8 - 4))).ToArray();
            float[] weights = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
            // Mostly 1 (no new maximum), sometimes a shrinking factor, once exactly 0 (the first key).
            float[] rescales = Enumerable.Range(0, n).Select(j => j == 0 ? 0f : j % 4 == 2 ? (float)random.NextDouble() : 1f).ToArray();
            float[] start = Enumerable.Range(0, width).Select(i => i % 7 == 3 ? 70000f : HalfConvert.HalfToSingle(HalfConvert.SingleToHalf((float)(random.NextDouble() * 2 - 1)))).ToArray();
            float[] fast = (float[])start.Clone(), slow = (float[])start.Clone();
            HalfAccumulator.MultiplyAddRows(rows, stride, rescales, weights, fast);
            float[] widened = (float[])start.Clone();
            HalfAccumulator.MultiplyAddRows(rows.Select(HalfConvert.HalfToSingle).ToArray(), stride, rescales, weights, widened);
            for (int j = 0; j < n; j++)
            {
                HalfAccumulator.ScaleReference(slow, rescales[j]);
                var row = rows.AsSpan(j * stride, width).ToArray().Select(HalfConvert.HalfToSingle).ToArray();
                HalfAccumulator.MultiplyAddReference(row, weights[j], slow);
            }
            Assert.Equal(slow, fast);
            Assert.Equal(slow, widened); // rows widened beforehand (grouped-query attention) give the same bits
        }
    }

    [Theory]
    [InlineData(64, 0)]  // ordinary values: the bound proves the whole call in range
    [InlineData(72, 0)]  // a 64-lane block and an 8-lane one
    [InlineData(8, 0)]
    [InlineData(136, 0)]
    [InlineData(64, 1)]  // one lane passes 65520 and is scaled back below it: fp16 keeps infinity
    [InlineData(72, 1)]
    [InlineData(64, 2)]  // a NaN in one row
    [InlineData(72, 3)]  // an infinity in one row
    [InlineData(64, 4)]  // a start at 65504, fp16's largest, then +16: exactly 65520, a tie that rounds to infinity
    public void Rows_with_a_magnitude_bound_equal_one_scale_and_update_per_row(int width, int special)
    {
        var random = new Random(width * 10 + special);
        const int n = 40;
        float[] rows = Enumerable.Range(0, n * width)
            .Select(i => HalfConvert.HalfToSingle(HalfConvert.SingleToHalf(i % 17 == 6 ? 2e-6f : (float)(random.NextDouble() * 8 - 4)))).ToArray();
        float[] weights = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
        float[] rescales = Enumerable.Range(0, n).Select(j => j == 0 ? 0f : j % 5 == 2 ? (float)random.NextDouble() : 1f).ToArray();
        float[] start = Enumerable.Range(0, width).Select(_ => HalfConvert.HalfToSingle(HalfConvert.SingleToHalf((float)(random.NextDouble() * 2 - 1)))).ToArray();
        int lane = width - 3;
        switch (special)
        {
            case 1:
                for (int j = 10; j < 13; j++)
                {
                    rows[j * width + lane] = 30000f;
                    weights[j] = 1f;
                }
                rescales[13] = 0.25f;
                break;
            case 2:
                rows[20 * width + lane] = float.NaN;
                break;
            case 3:
                rows[20 * width + lane] = float.NegativeInfinity;
                break;
            case 4:
                start[lane] = 65504f;
                rescales[0] = 1f;
                rows[lane] = 16f;
                weights[0] = 1f;
                break;
        }
        float[] fast = (float[])start.Clone(), slow = (float[])start.Clone(), halves = (float[])start.Clone();
        HalfAccumulator.MultiplyAddRows(rows, width, Magnitude.Largest(rows), rescales, weights, fast);
        HalfAccumulator.MultiplyAddRows(rows.Select(HalfConvert.SingleToHalf).ToArray(), width, rescales, weights, halves);
        for (int j = 0; j < n; j++)
        {
            HalfAccumulator.ScaleReference(slow, rescales[j]);
            HalfAccumulator.MultiplyAddReference(rows.AsSpan(j * width, width), weights[j], slow);
        }
        if (special is 1 or 3 or 4)
            Assert.True(float.IsInfinity(slow[lane]) || float.IsNaN(slow[lane])); // the case is what it claims
        Assert.Equal(slow.Select(BitConverter.SingleToUInt32Bits), fast.Select(BitConverter.SingleToUInt32Bits));
        Assert.Equal(slow.Select(BitConverter.SingleToUInt32Bits), halves.Select(BitConverter.SingleToUInt32Bits));
    }

    [Fact]
    public void The_largest_magnitude_equals_its_definition_at_every_length()
    {
        var random = new Random(21);
        for (int n = 0; n <= 80; n++)
        {
            float[] x = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 20 - 10)).ToArray();
            Assert.Equal(Magnitude.LargestReference(x), Magnitude.Largest(x));
            if (n == 0)
                continue;
            int at = random.Next(n);
            x[at] = -1e30f;
            Assert.Equal(1e30f, Magnitude.Largest(x));
            x[at] = float.NegativeInfinity;
            Assert.Equal(float.PositiveInfinity, Magnitude.Largest(x));
            x[random.Next(n)] = float.NaN;
            Assert.True(float.IsNaN(Magnitude.Largest(x)));
        }
    }
}
