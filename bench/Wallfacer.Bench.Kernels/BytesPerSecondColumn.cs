using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Wallfacer.Bench.Kernels;

/// <summary>Weight bytes streamed per second (GB/s), from <see cref="VecDotBenchmarks.WeightBytes"/>.</summary>
public sealed class BytesPerSecondColumn : IColumn
{
    public string Id => nameof(BytesPerSecondColumn);
    public string ColumnName => "Weights GB/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Weight bytes read per second (1e9 B/s)";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (summary[benchmarkCase]?.ResultStatistics is not { } stats || benchmarkCase.Parameters["Type"] is not Wallfacer.Numerics.Quants.GgmlType type)
            return "-";
        long bytes = VecDotBenchmarks.WeightBytes(benchmarkCase.Descriptor.WorkloadMethod.Name, type);
        return (bytes / stats.Mean).ToString("F1"); // bytes per ns = GB/s
    }
}
