using BenchmarkDotNet.Running;

namespace Wallfacer.Bench.Kernels;

/// <summary>Kernel micro-benchmarks: <c>dotnet run -c Release --project bench/Wallfacer.Bench.Kernels -- --filter '*'</c>.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
