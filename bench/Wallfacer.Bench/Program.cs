using Wallfacer.Conformance.Reference;

namespace Wallfacer.Bench;

/// <summary>
/// Wallfacer against llama.cpp, side by side on the same synthetic model files (docs/benchmarks.md).
/// Run it optimized: <c>dotnet run -c Release --project bench/Wallfacer.Bench -- --quick</c>. The program
/// starts itself again with <c>--child wallfacer|llama</c> for every measured run.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }
        if (options.Help)
        {
            Console.Out.WriteLine(BenchOptions.Usage);
            return 0;
        }
        if (options.ChildEngine != null)
            return ChildProgram.Run(options);
        if (!LlamaLibrary.IsAvailable)
        {
            Console.Error.WriteLine(LlamaLibrary.MissingMessage);
            return 2;
        }
        string commandLine = "dotnet run -c Release --project bench/Wallfacer.Bench -- " + string.Join(' ', args.Select(Quote));
        return options.Sequences is null ? SideBySide.Run(options, commandLine) : BatchedDecode.Run(options, commandLine);
    }

    private static string Quote(string arg) => arg.Contains(' ') ? $"\"{arg}\"" : arg;
}
