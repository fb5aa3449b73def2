using System.Diagnostics;
using Wallfacer.Numerics.Kernels;
using Wallfacer.Numerics.Quants;
using Wallfacer.Numerics.Threading;

namespace Wallfacer.Bench.Kernels;

/// <summary>
/// <c>dotnet run -c Release --project bench/Wallfacer.Bench.Kernels -- matvec [threads] [MiB] [ROWSxCOLUMNS,…]
/// [TYPE,…] [weight magnitude]</c>: one-token <see cref="MatMul.Multiply"/> (the generation path) on the Qwen2.5-0.5B
/// FFN shapes (or the shapes given, e.g. <c>5760x2304,2304x2304</c> for MiniCPM-2B) for Q4_0, Q8_0, Q5_0, Q4_K and
/// Q6_K (or the types given), reported as weight GB/s. Weights are uniform in ±magnitude (default 1); real models'
/// are nearer 0.02, which makes K-quant super-block scales subnormal halves — give 0.02 to measure that case.
/// A Stopwatch loop, not BenchmarkDotNet, so a before/after comparison takes seconds: each shape runs for about a
/// second per round, best of several rounds (the machine is shared, so the best round is the least disturbed).
/// Several copies of the matrix are cycled so the working set (default ≥ 64 MiB) streams from memory as in decode;
/// a small working set (e.g. 1 MiB, one copy) shows the kernel's compute speed with the weights in cache.
/// </summary>
internal static unsafe class MatVecThroughput
{
    private static long s_workingSetBytes = 64L << 20;
    private static float s_weightMagnitude = 1f;

    public static void Run(string[] args)
    {
        int threads;
        (int Rows, int Columns)[] shapes;
        GgmlType[] types;
        try
        {
            threads = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1;
            if (args.Length > 2)
                s_workingSetBytes = long.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) << 20;
            shapes = args.Length > 3 ? ParseShapes(args[3]) : [(4864, 896), (896, 4864)];
            // Q5_0, Q4_K and Q6_K by default: the Q4_K_M mix (K-quants only where the row is a multiple of 256).
            types = args.Length > 4
                ? args[4].Split(',').Select(name => Enum.Parse<GgmlType>(name, ignoreCase: true)).ToArray()
                : [GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.Q5_0, GgmlType.Q4_K, GgmlType.Q6_K];
            if (args.Length > 5)
                s_weightMagnitude = float.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            Console.Error.WriteLine($"matvec [threads] [MiB] [ROWSxCOLUMNS,…] [TYPE,…] [weight magnitude]: {e.Message}");
            Environment.ExitCode = 2;
            return;
        }
        using var pool = new WorkerPool(threads);
        Console.WriteLine($"matvec, 1 token, {threads} thread(s), working set ≥ {s_workingSetBytes >> 20} MiB, weights in ±{s_weightMagnitude}, best of 5 rounds");
        StreamBaseline();
        foreach (var type in types)
            foreach (var (rows, columns) in shapes)
                if (columns % GgmlTypeInfo.BlockSize(type) == 0)
                    Measure(type, rows, columns, pool);
    }

    internal static (int Rows, int Columns)[] ParseShapes(string text) =>
        text.Split(',').Select(shape => shape.Split('x') is [var rows, var columns]
            ? (int.Parse(rows, System.Globalization.CultureInfo.InvariantCulture), int.Parse(columns, System.Globalization.CultureInfo.InvariantCulture))
            : throw new ArgumentException($"Shape '{shape}' is not ROWSxCOLUMNS (e.g. 5760x2304).")).ToArray();

    /// <summary>The ceiling for the rows below: summing the same working set with plain 64-byte loads.</summary>
    private static void StreamBaseline()
    {
        long length = s_workingSetBytes / 256 * 256;
        byte* p = (byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)length, 64); // whole cache lines
        System.Runtime.InteropServices.NativeMemory.Fill(p, (nuint)length, 1);
        double best = 0;
        try
        {
            for (int round = 0; round < 6; round++)
            {
                long bytes = 0;
                int sink = 0;
                var watch = Stopwatch.StartNew();
                while (watch.ElapsedMilliseconds < 700)
                {
                    sink += Sum(p, length);
                    bytes += length;
                }
                GC.KeepAlive(sink);
                if (round > 0)
                    best = Math.Max(best, bytes / watch.Elapsed.TotalSeconds / 1e9);
            }
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.AlignedFree(p);
        }
        Console.WriteLine($"stream (sum of 64-byte loads)          {best,6:F1} GB/s");
    }

    /// <summary>
    /// A method of its own so that no call follows the loop while the accumulators are live: with the timer call
    /// in the same method the JIT kept them on the stack, and the loop read ~20 GB/s where this reads 35–39.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int Sum(byte* p, long length)
    {
        System.Runtime.Intrinsics.Vector512<int> a0 = default, a1 = default, a2 = default, a3 = default;
        for (long o = 0; o < length; o += 256)
        {
            a0 += System.Runtime.Intrinsics.Vector512.Load((int*)(p + o));
            a1 += System.Runtime.Intrinsics.Vector512.Load((int*)(p + o + 64));
            a2 += System.Runtime.Intrinsics.Vector512.Load((int*)(p + o + 128));
            a3 += System.Runtime.Intrinsics.Vector512.Load((int*)(p + o + 192));
        }
        return System.Runtime.Intrinsics.Vector512.Sum(a0 + a1 + a2 + a3);
    }

    private static void Measure(GgmlType type, int rows, int columns, WorkerPool pool)
    {
        var rng = new Random(42);
        long matrixBytes = GgmlTypeInfo.RowBytes(type, columns) * rows;
        int copies = (int)Math.Max(1, s_workingSetBytes / matrixBytes);
        byte[] weights = GC.AllocateUninitializedArray<byte>(checked((int)(matrixBytes * copies)), pinned: true);
        int rowBytes = (int)GgmlTypeInfo.RowBytes(type, columns);
        var values = new float[columns];
        var row = new byte[rowBytes];
        for (int r = 0; r < rows * copies; r++)
        {
            if (r < 64) // quantizing every row would dominate; tile 64 distinct rows
            {
                for (int c = 0; c < columns; c++)
                    values[c] = (float)(rng.NextDouble() * 2 - 1) * s_weightMagnitude;
                Quantizer.QuantizeRow(type, values, row);
            }
            row.CopyTo(weights, (long)r * rowBytes);
        }
        var layout = ModelLayout.Apply(type, rows, columns, ref weights);
        float[] x = Enumerable.Range(0, columns).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float[] y = new float[rows];
        var matMul = new MatMul();
        double best = 0;
        fixed (byte* p = weights)
        {
            for (int round = 0; round < 6; round++)
            {
                long calls = 0;
                var watch = Stopwatch.StartNew();
                while (watch.ElapsedMilliseconds < 700)
                {
                    for (int c = 0; c < copies; c++)
                        matMul.Multiply(new WeightMatrix(type, rows, columns, p + c * matrixBytes, layout), x, y, 1, pool);
                    calls += copies;
                }
                double gbps = calls * (double)matrixBytes / watch.Elapsed.TotalSeconds / 1e9;
                if (round > 0) // round 0 is warm-up (tiering)
                    best = Math.Max(best, gbps);
            }
        }
        Console.WriteLine($"{type,-5} {rows,5}x{columns,-5} {matrixBytes / 1e6,6:F2} MB  {best,6:F1} GB/s  (checksum {y.Sum():G6}){(layout == WeightLayout.RowMajor ? "" : $"  {layout}")}");
    }
}
