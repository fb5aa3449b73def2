using System.Text.Json;
using Wallfacer.Conformance.Reference;

namespace Wallfacer.Bench;

/// <summary>
/// The child side: measure one engine once (<see cref="ChildMeasurement"/>) and print the result as one JSON
/// line. A process per run, so that peak RSS and load time belong to one engine and one run only.
/// </summary>
internal static class ChildProgram
{
    public static int Run(BenchOptions options)
    {
        string path = options.ModelPath!;
        int threads = options.Threads[0];
        int context = options.ResolveContextLength();
        if (options.Sequences is [int sequences])
        {
            var batched = BatchedDecodeChild.Run(options.ChildEngine!, path, threads, sequences, options.Generate, context);
            Console.Out.WriteLine(JsonSerializer.Serialize(batched, BenchJson.Options));
            return 0;
        }
        Func<IBenchEngine> load = options.ChildEngine == "llama"
            ? () => LlamaEngine.Load(path, threads, context, options.BatchSize)
            : () => WallfacerEngine.Load(path, threads, context, options.BatchSize);
        var result = ChildMeasurement.Run(options.ChildEngine!, threads, load, options.PromptLengths, options.Generate);
        if (options.ChildEngine == "llama")
            result = result with { NativeBackend = DescribeLlamaBackend() };
        Console.Out.WriteLine(JsonSerializer.Serialize(result, BenchJson.Options));
        return 0;
    }

    /// <summary>Which libggml-cpu variant <c>ggml_backend_load_all_from_path</c> mapped, and llama.cpp's system info.</summary>
    private static string DescribeLlamaBackend()
    {
        string variant = File.Exists("/proc/self/maps")
            ? File.ReadLines("/proc/self/maps")
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
                .Where(file => Path.GetFileName(file).StartsWith("libggml-cpu-", StringComparison.Ordinal))
                .Select(Path.GetFileName)
                .FirstOrDefault() ?? "unknown"
            : "unknown";
        return $"{variant} ({LlamaLibrary.LlamaFileName}); {LlamaBenchNative.SystemInfo().Trim()}";
    }
}
