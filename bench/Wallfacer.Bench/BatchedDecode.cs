using System.Globalization;
using System.Text;
using Wallfacer.Conformance.Reference;

namespace Wallfacer.Bench;

/// <summary>
/// <c>--sequences 1,4</c>: how well each engine batches decode steps. For every preset, type and thread count, each
/// pair runs a Wallfacer child and a llama.cpp child per sequence count (alternating which goes first); the table
/// gives aggregate generated tokens/s (medians over the pairs), Wallfacer ÷ llama.cpp per count, and each engine's
/// gain over the first count — the figure a server's <c>--parallel N</c> ÷ <c>--parallel 1</c> is bounded by.
/// </summary>
internal static class BatchedDecode
{
    public static int Run(BenchOptions options, string commandLine)
    {
        var log = Console.Error;
        log.WriteLine(commandLine);
        int[] counts = options.Sequences!;
        int context = (BatchedDecodeChild.PromptLength + options.Generate + 32 + 255) / 256 * 256;
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Batched decode, {options.Generate} steps after a {BatchedDecodeChild.PromptLength}-token prompt per sequence; medians of {options.Pairs} pairs. `{commandLine}`");
        report.AppendLine();
        report.AppendLine("| preset | type | T | sequences | Wallfacer tok/s | llama.cpp tok/s | W ÷ llama | W gain | llama gain |");
        report.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (string preset in options.Presets)
            foreach (string type in options.Types)
            {
                string path = SyntheticModelCache.GetOrWrite(preset, type, log);
                foreach (int threads in options.Threads)
                    AppendRows(report, options, preset, type, threads, path, counts, context, log);
            }
        Console.Out.Write(report.ToString());
        if (options.MarkdownPath != null)
            File.WriteAllText(options.MarkdownPath, report.ToString());
        return 0;
    }

    private static void AppendRows(StringBuilder report, BenchOptions options, string preset, string type, int threads,
        string path, int[] counts, int context, TextWriter log)
    {
        ChildLauncher.RunBatched("wallfacer", path, threads, counts[0], 8, context); // warm the file cache
        ChildLauncher.RunBatched("llama", path, threads, counts[0], 8, context);
        var wallfacer = counts.ToDictionary(n => n, _ => new List<double>());
        var llama = counts.ToDictionary(n => n, _ => new List<double>());
        for (int pair = 0; pair < options.Pairs; pair++)
            foreach (int n in counts)
            {
                string[] order = pair % 2 == 0 ? ["wallfacer", "llama"] : ["llama", "wallfacer"];
                foreach (string engine in order)
                {
                    var result = ChildLauncher.RunBatched(engine, path, threads, n, options.Generate, context);
                    (engine == "llama" ? llama : wallfacer)[n].Add(result.TokensPerSecond);
                    log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{preset} {type} {threads}T pair {pair + 1}: {engine} × {n} sequences {result.TokensPerSecond:F1} tok/s"));
                }
            }
        double w1 = Median(wallfacer[counts[0]]), l1 = Median(llama[counts[0]]);
        foreach (int n in counts)
        {
            double w = Median(wallfacer[n]), l = Median(llama[n]);
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {preset} | {type} | {threads} | {n} | {w:F1} | {l:F1} | ×{w / l:F2} | ×{w / w1:F2} | ×{l / l1:F2} |");
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
