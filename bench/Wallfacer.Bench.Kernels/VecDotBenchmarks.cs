using BenchmarkDotNet.Attributes;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Bench.Kernels;

/// <summary>
/// <see cref="VecDot.Dot"/> per weight type: <c>Row</c> is one 4096-element row against one activation row
/// (cache-resident: the kernel's compute speed); <c>MatVec</c> is every row of a weight matrix of at least
/// 64 MiB (twice this machine's L3, so it streams from memory, as decode does) against one activation row.
/// </summary>
[Config(typeof(IsaTierConfig))]
public class VecDotBenchmarks
{
    public const int Columns = 4096;
    private const long MatrixBytes = 64L << 20;

    private byte[] _activations = [];
    private byte[] _weights = [];
    private int _rowBytes;

    [ParamsSource(nameof(Types))]
    public GgmlType Type { get; set; }

    /// <summary>All weight types, or those named in WALLFACER_BENCH_TYPES (comma-separated, e.g. "Q4_0,Q6_K").</summary>
    public static IEnumerable<GgmlType> Types()
    {
        string? chosen = Environment.GetEnvironmentVariable("WALLFACER_BENCH_TYPES");
        if (!string.IsNullOrWhiteSpace(chosen))
            return chosen.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<GgmlType>);
        return [GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
            GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.F16, GgmlType.BF16, GgmlType.F32];
    }

    /// <summary>Weight rows in <c>MatVec</c>: enough for <see cref="MatrixBytes"/>.</summary>
    public static int Rows(GgmlType type) => (int)Math.Max(2048, MatrixBytes / GgmlTypeInfo.RowBytes(type, Columns));

    /// <summary>Weight bytes one call of <paramref name="method"/> reads (for the GB/s column).</summary>
    public static long WeightBytes(string method, GgmlType type) =>
        GgmlTypeInfo.RowBytes(type, Columns) * (method == nameof(MatVec) ? Rows(type) : 1);

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        float[] x = new float[Columns];
        for (int i = 0; i < Columns; i++)
            x[i] = (float)(rng.NextDouble() * 2 - 1);
        GgmlType activationType = VecDot.ActivationType(Type);
        _activations = new byte[GgmlTypeInfo.RowBytes(activationType, Columns)];
        Quantizer.QuantizeActivationRow(activationType, x, _activations);
        _rowBytes = (int)GgmlTypeInfo.RowBytes(Type, Columns);
        int rows = Rows(Type);
        _weights = new byte[(long)_rowBytes * rows];
        // Quantize a few distinct rows and tile them: quantizing 64 MiB would dominate setup time.
        var row = new byte[_rowBytes];
        for (int r = 0; r < rows; r++)
        {
            if (r < 16)
            {
                for (int i = 0; i < Columns; i++)
                    x[i] = (float)(rng.NextDouble() * 2 - 1);
                Quantizer.QuantizeRow(Type, x, row);
            }
            row.CopyTo(_weights, (long)r * _rowBytes);
        }
    }

    [Benchmark]
    public float Row() => VecDot.Dot(Type, _weights.AsSpan(0, _rowBytes), _activations, Columns);

    [Benchmark]
    public float MatVec()
    {
        float sum = 0;
        ReadOnlySpan<byte> weights = _weights;
        for (int offset = 0; offset + _rowBytes <= weights.Length; offset += _rowBytes)
            sum += VecDot.Dot(Type, weights.Slice(offset, _rowBytes), _activations, Columns);
        return sum;
    }
}
