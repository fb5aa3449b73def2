using System.Globalization;
using Wallfacer.Conformance.Reference;

namespace Wallfacer.Bench;

/// <summary>
/// The parent side of docs/benchmarks.md's protocol: machine facts and read bandwidth first, then for each
/// (preset, type) one synthetic file and for each thread count a warm-up pair and <c>--pairs</c> alternating
/// Wallfacer / llama.cpp child runs. Progress goes to stderr; the markdown report to stdout (and a file).
/// </summary>
internal static class SideBySide
{
    /// <summary>Prompt and generation of the warm-up pair: "one short prompt + one token each".</summary>
    private const int WarmUpPrompt = 16;

    public static int Run(BenchOptions options, string commandLine)
    {
        var log = Console.Error;
        log.WriteLine(commandLine);
        var machine = MachineInfo.Collect();
        log.WriteLine($"CPU: {machine.CpuModel}; measuring read bandwidth …");
        var bandwidthBefore = BandwidthProbe.Measure(options.Threads, out long? hugePages);
        var smallPagesBefore = BandwidthProbe.Measure(options.Threads, out _, hugePages: false);
        int context = options.ResolveContextLength();

        var rows = new List<RowResult>();
        string? llamaBackend = null;
        foreach (string preset in options.Presets)
        {
            foreach (string type in options.Types)
            {
                string path = SyntheticModelCache.GetOrWrite(preset, type, log);
                var traffic = ModelTraffic.Measure(path);
                foreach (int threads in options.Threads)
                {
                    var row = MeasureRow(options, preset, type, threads, path, traffic, context, log);
                    llamaBackend ??= row.Pairs[0].Llama.NativeBackend;
                    rows.Add(row);
                }
            }
        }

        // Measured again at the end; the better of the two stands, as other load on a shared machine only lowers it.
        var bandwidthAfter = BandwidthProbe.Measure(options.Threads, out _);
        var bandwidth = bandwidthBefore.ToDictionary(b => b.Key, b => Math.Max(b.Value, bandwidthAfter[b.Key]));
        var smallPagesAfter = BandwidthProbe.Measure(options.Threads, out _, hugePages: false);
        var smallPages = smallPagesBefore.ToDictionary(b => b.Key, b => Math.Max(b.Value, smallPagesAfter[b.Key]));
        rows = [.. rows.Select(r => r with { Bandwidth = bandwidth[r.Threads] })];
        log.WriteLine("bandwidth before / after, GB/s: " + string.Join(", ", bandwidth.Keys.Select(t =>
            string.Create(CultureInfo.InvariantCulture, $"{t}T {bandwidthBefore[t] / 1e9:F1} / {bandwidthAfter[t] / 1e9:F1}"))));
        string report = MarkdownReport.Build(options, commandLine, machine with { BandwidthHugePageBytes = hugePages }, bandwidth, smallPages, rows, llamaBackend);
        Console.Out.Write(report);
        if (options.MarkdownPath != null)
        {
            File.WriteAllText(options.MarkdownPath, report);
            log.WriteLine($"wrote {options.MarkdownPath}");
        }
        return 0;
    }

    private static RowResult MeasureRow(BenchOptions options, string preset, string type, int threads, string path,
        ModelTraffic traffic, int context, TextWriter log)
    {
        log.WriteLine($"{preset} {type} {threads}T: warm-up pair …");
        ChildLauncher.Run("wallfacer", path, threads, [WarmUpPrompt], 1, context, options.BatchSize);
        ChildLauncher.Run("llama", path, threads, [WarmUpPrompt], 1, context, options.BatchSize);

        var pairs = new List<(ChildResult, ChildResult)>();
        for (int pair = 0; pair < options.Pairs; pair++)
        {
            var wallfacer = ChildLauncher.Run("wallfacer", path, threads, options.PromptLengths, options.Generate, context, options.BatchSize);
            var llama = ChildLauncher.Run("llama", path, threads, options.PromptLengths, options.Generate, context, options.BatchSize);
            pairs.Add((wallfacer, llama));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  pair {pair + 1}: prompt {wallfacer.Prompts[0].TokensPerSecond:F1} / {llama.Prompts[0].TokensPerSecond:F1} tok/s, " +
                $"generation {wallfacer.Generation.TokensPerSecond:F1} / {llama.Generation.TokensPerSecond:F1} tok/s (Wallfacer / llama.cpp)"));
        }
        return new RowResult(preset, type, threads, traffic, Bandwidth: double.NaN, pairs); // bandwidth is set after all rows
    }
}
