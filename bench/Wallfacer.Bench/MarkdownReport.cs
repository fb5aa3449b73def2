using System.Globalization;
using System.Text;

namespace Wallfacer.Bench;

/// <summary>The report of a side-by-side run as markdown: how it was produced, the machine, and one table row per model file and thread count.</summary>
internal static class MarkdownReport
{
    public static string Build(BenchOptions options, string commandLine, MachineInfo machine,
        IReadOnlyDictionary<int, double> bandwidth, IReadOnlyDictionary<int, double> smallPageBandwidth, IReadOnlyList<RowResult> rows, string? llamaBackend)
    {
        var md = new StringBuilder();
        md.AppendLine(Invariant($"## Wallfacer vs llama.cpp ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)"));
        md.AppendLine();
        md.AppendLine("Command:");
        md.AppendLine();
        md.AppendLine("    " + commandLine);
        md.AppendLine();
        md.AppendLine(Invariant($"- CPU: {machine.CpuModel}, {machine.ProcessorCount} logical processors; flags: {string.Join(' ', machine.Flags)}; absent: {string.Join(' ', machine.MissingFlags)}"));
        md.AppendLine($"- .NET: {machine.Runtime}; ISA classes: {machine.DotNetIsa}");
        md.AppendLine($"- llama.cpp: {llamaBackend ?? "n/a"}");
        string hugePages = machine.BandwidthHugePageBytes is { } huge ? Invariant($"{huge / (double)(1 << 20):F0} MiB") : "n/a";
        md.AppendLine($"- Transparent huge pages: {machine.TransparentHugePages}; huge pages under the bandwidth buffer: {hugePages} of 1024 MiB");
        md.AppendLine("- Read bandwidth (sum over 1 GiB, best of 5 passes before and 5 after the rows): " +
                      string.Join(", ", bandwidth.OrderBy(b => b.Key).Select(b => Invariant($"{b.Value / 1e9:F1} GB/s with {b.Key} thread(s)"))));
        md.AppendLine("- The same over 4 KiB pages (the buffer advised against huge pages; both engines read weights so): " +
                      string.Join(", ", smallPageBandwidth.OrderBy(b => b.Key).Select(b => Invariant($"{b.Value / 1e9:F1} GB/s with {b.Key} thread(s)"))));
        md.AppendLine(Invariant($"- Each cell: Wallfacer / llama.cpp (median of {options.Pairs} pairs, after a warm-up pair) and, in brackets, the median of the pairwise ratios Wallfacer ÷ llama.cpp. Every run is its own process."));
        md.AppendLine(Invariant($"- Generation: {options.Generate} greedy tokens after the {options.PromptLengths[0]}-token prompt. Ceiling = generation tok/s × (weight bytes + KV bytes) per token ÷ bandwidth at that thread count."));
        md.AppendLine();
        AppendTable(md, options, rows);
        md.AppendLine();
        AppendCrossCheck(md, rows);
        return md.ToString();
    }

    private static void AppendTable(StringBuilder md, BenchOptions options, IReadOnlyList<RowResult> rows)
    {
        var header = new List<string> { "model", "type", "T" };
        header.AddRange(options.PromptLengths.Select(p => Invariant($"prompt {p} tok/s")));
        header.AddRange([Invariant($"generation {options.Generate} tok/s"), "generation ÷ ceiling", "load → 1st token s",
            "peak RSS GiB", "Wallfacer alloc B/token"]);
        md.AppendLine("| " + string.Join(" | ", header) + " |");
        md.AppendLine("|" + string.Concat(Enumerable.Repeat("---|", header.Count)));
        foreach (var row in rows)
        {
            var cells = new List<string> { row.Preset, row.Type, Invariant($"{row.Threads}") };
            for (int k = 0; k < options.PromptLengths.Length; k++)
            {
                int index = k;
                cells.Add(Cell(row.Compare(r => r.Prompts[index].TokensPerSecond), "F1"));
            }
            var generation = row.Compare(r => r.Generation.TokensPerSecond);
            cells.Add(Cell(generation, "F1"));
            double wallfacerCeiling = row.CeilingFraction(generation.Wallfacer, options.PromptLengths[0], options.Generate);
            double llamaCeiling = row.CeilingFraction(generation.Llama, options.PromptLengths[0], options.Generate);
            cells.Add(Invariant($"{wallfacerCeiling * 100:F0}% / {llamaCeiling * 100:F0}%"));
            cells.Add(Cell(row.Compare(r => r.LoadToFirstTokenMilliseconds / 1000), "F2"));
            cells.Add(Cell(row.Compare(r => (r.PeakResidentBytes ?? double.NaN) / (1 << 30)), "F2"));
            cells.Add(Invariant($"{RowResult.Median(row.Pairs.Select(p => p.Wallfacer.AllocatedBytesPerToken)):F0}"));
            md.AppendLine("| " + string.Join(" | ", cells) + " |");
        }
    }

    /// <summary>
    /// Our wall clock around each llama_decode call against llama.cpp's own perf counters (which time the
    /// same calls inside the library). A large gap would mean the harness, not llama.cpp, is being measured.
    /// </summary>
    private static void AppendCrossCheck(StringBuilder md, IReadOnlyList<RowResult> rows)
    {
        md.AppendLine("Cross-check, llama.cpp generation tok/s: our wall clock vs its own perf counters (`llama_perf_context`):");
        md.AppendLine();
        foreach (var row in rows)
        {
            double wall = RowResult.Median(row.Pairs.Select(p => p.Llama.Generation.TokensPerSecond));
            double own = RowResult.Median(row.Pairs.Select(p =>
                p.Llama.Generation.EngineMilliseconds is { } ms ? p.Llama.Generation.Tokens / (ms / 1000) : double.NaN));
            md.AppendLine(Invariant($"- {row.Preset} {row.Type} {row.Threads}T: {wall:F1} wall vs {own:F1} own"));
        }
    }

    private static string Cell(Comparison c, string format) =>
        double.IsNaN(c.Wallfacer) || double.IsNaN(c.Llama)
            ? "n/a"
            : string.Create(CultureInfo.InvariantCulture,
                $"{c.Wallfacer.ToString(format, CultureInfo.InvariantCulture)} / {c.Llama.ToString(format, CultureInfo.InvariantCulture)} (×{c.Ratio:F2})");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
