using BenchmarkDotNet.Running;

namespace Wallfacer.Bench.Kernels;

/// <summary>
/// Kernel micro-benchmarks: <c>dotnet run -c Release --project bench/Wallfacer.Bench.Kernels -- --filter '*'</c>
/// (BenchmarkDotNet), or <c>-- matvec [threads]</c> for the quick one-token matrix-vector throughput check,
/// <c>-- prompt [threads] [tokens]</c> for the prompt-batch one.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "matvec")
            MatVecThroughput.Run(args);
        else if (args.Length > 0 && args[0] == "prompt")
            PromptThroughput.Run(args);
        else
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
