using System.Diagnostics;
using System.Globalization;
using Wallfacer.Numerics.Kernels;
using Wallfacer.Numerics.Quants;
using Wallfacer.Numerics.Threading;

namespace Wallfacer.Bench.Kernels;

/// <summary>
/// <c>dotnet run -c Release --project bench/Wallfacer.Bench.Kernels -- prompt [threads] [tokens] [types] [MiB] [ROWSxCOLUMNS,…]</c>: a prompt
/// batch through <see cref="MatMul.Multiply"/> (the prompt kernels) on the Qwen2.5-0.5B projection shapes (K-quants, whose
/// rows are whole 256-element super-blocks: Llama-3.2-1B's), reported as giga multiply-adds per second. A Stopwatch loop, best of several rounds (the machine is shared), so a before/after
/// comparison takes seconds; run the old and the new build alternately. The checksum must not change between them.
/// With a working set in MiB (e.g. 64), several copies of the matrix are cycled so the weights come from memory, as in a
/// model's forward pass; by default one copy stays in cache.
/// </summary>
internal static unsafe class PromptThroughput
{
    public static void Run(string[] args)
    {
        int threads = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
        int tokens = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 128;
        var types = args.Length > 3 ? args[3].Split(',').Select(Enum.Parse<GgmlType>).ToArray() : [GgmlType.Q4_0, GgmlType.Q8_0];
        long workingSet = args.Length > 4 ? long.Parse(args[4], CultureInfo.InvariantCulture) << 20 : 0;
        var shapes = args.Length > 5 ? MatVecThroughput.ParseShapes(args[5]) : null; // ROWSxCOLUMNS,… instead of the defaults
        using var pool = new WorkerPool(threads);
        Console.WriteLine($"prompt, {tokens} tokens, {threads} thread(s), working set ≥ {workingSet >> 20} MiB, best of 5 rounds");
        foreach (var type in types)
            foreach (var (rows, columns) in shapes ?? (GgmlTypeInfo.BlockSize(type) == 256
                ? new[] { (2048, 2048), (8192, 2048), (2048, 8192) }
                : new[] { (896, 896), (4864, 896), (896, 4864) }))
                foreach (bool invariant in type == GgmlType.Q4_0 ? new[] { true, false } : [false])
                    Measure(type, rows, columns, tokens, workingSet, pool, invariant);
    }

    /// <summary>One shape; <paramref name="invariant"/> measures the batch-invariant kernel (Q4_0: lane sums, not block sums).</summary>
    private static void Measure(GgmlType type, int rows, int columns, int tokens, long workingSet, WorkerPool pool, bool invariant)
    {
        var rng = new Random(42);
        int rowBytes = (int)GgmlTypeInfo.RowBytes(type, columns);
        long matrixBytes = (long)rowBytes * rows;
        int copies = (int)Math.Max(1, workingSet / matrixBytes);
        byte[] weights = GC.AllocateUninitializedArray<byte>(checked((int)(matrixBytes * copies)), pinned: true);
        var values = new float[columns];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
                values[c] = (float)(rng.NextDouble() * 2 - 1);
            Quantizer.QuantizeRow(type, values, weights.AsSpan(r * rowBytes, rowBytes));
        }
        for (int c = 1; c < copies; c++)
            weights.AsSpan(0, (int)matrixBytes).CopyTo(weights.AsSpan((int)(c * matrixBytes)));
        var layout = ModelLayout.Apply(type, rows, columns, ref weights);
        float[] x = Enumerable.Range(0, tokens * columns).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float[] y = new float[tokens * rows];
        var matMul = new MatMul { BatchInvariant = invariant };
        double best = 0;
        fixed (byte* p = weights)
        {
            for (int round = 0; round < 6; round++)
            {
                long calls = 0;
                var watch = Stopwatch.StartNew();
                while (watch.ElapsedMilliseconds < 400)
                {
                    matMul.Multiply(new WeightMatrix(type, rows, columns, p + calls % copies * matrixBytes, layout), x, y, tokens, pool);
                    calls++;
                }
                double gmacs = calls * (double)rows * columns * tokens / watch.Elapsed.TotalSeconds / 1e9;
                if (round > 0) // round 0 is warm-up (tiering)
                    best = Math.Max(best, gmacs);
            }
        }
        double checksum = 0;
        for (int i = 0; i < y.Length; i++)
            checksum += y[i] * (1 + i % 7);
        string kernel = matMul.UsesBlockSums(type, tokens) ? "block sums" : "lane sums";
        Console.WriteLine($"{type,-5} {rows,5}x{columns,-5} {kernel,-10} {best,7:F1} GMAC/s  (checksum {checksum:R})");
    }
}
