using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace Wallfacer.Bench.Kernels;

/// <summary>
/// Runs each benchmark twice: with the machine's best vectors (AVX-512 here) and with AVX-512 switched off
/// (<c>DOTNET_EnableAVX512=0</c>; .NET 10 ignores the old <c>DOTNET_EnableAVX512F</c>), so one table shows
/// whether a 512-bit path pays for itself. Short runs: the kernels are stable and CI has two cores.
/// </summary>
public sealed class IsaTierConfig : ManualConfig
{
    public IsaTierConfig()
    {
        Job baseJob = Job.ShortRun.WithWarmupCount(2).WithIterationCount(5);
        AddJob(baseJob.WithId("best"));
        AddJob(baseJob.WithEnvironmentVariables(new EnvironmentVariable("DOTNET_EnableAVX512", "0")).WithId("no-avx512"));
        AddColumn(new BytesPerSecondColumn());
        HideColumns(Column.Error, Column.StdDev);
        WithOptions(ConfigOptions.JoinSummary);
    }
}
