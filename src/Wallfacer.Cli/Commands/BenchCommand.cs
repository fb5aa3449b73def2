using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text.Json;
using Spectre.Console;
using Wallfacer.Inference.Engine;
using Wallfacer.Models.Synthetic;

namespace Wallfacer.Cli.Commands;

/// <summary>
/// <c>wallfacer bench (-m MODEL | --preset NAME [--type T]) [-p 128] [-n 64] [--threads N] [--repetitions R] [--json]</c>:
/// load time to the first token, prompt and generation speed, peak RSS and GC bytes allocated per generated token.
/// Absolute figures on a shared machine mean little; bench/Wallfacer.Bench compares against llama.cpp side by side.
/// </summary>
internal static class BenchCommand
{
    /// <summary>Seed of the random prompt token ids, fixed so that runs are comparable.</summary>
    private const int PromptSeed = 20250101;

    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = CommonOptions.ModelDescription };
        var preset = new Option<string>("--preset") { Description = "Benchmark a synthetic model of this shape instead: " + string.Join(", ", SyntheticPresets.Names) + "." };
        var type = new Option<string>("--type") { Description = "Weight type of the synthetic model (Q4_0, Q8_0, Q4_K_M, …).", DefaultValueFactory = _ => "Q4_0" };
        var prompt = new Option<int>("--prompt", "-p") { Description = "Prompt length in tokens (random token ids).", DefaultValueFactory = _ => 128 };
        var generate = new Option<int>("--gen", "-n") { Description = "Tokens to generate greedily after the prompt.", DefaultValueFactory = _ => 64 };
        var threads = CommonOptions.Threads();
        var repetitions = new Option<int>("--repetitions", "-r") { Description = "Measured repetitions after warm-up; medians are reported.", DefaultValueFactory = _ => 3 };
        var json = CommonOptions.Json();
        var command = new Command("bench", "Measure load time, prompt and generation speed, peak memory and allocations per token.")
        {
            model, preset, type, prompt, generate, threads, repetitions, json,
        };
        CommandRunner.SetAction(command, (parse, ct) =>
        {
            var settings = new BenchSettings(parse.GetValue(prompt), parse.GetValue(generate), parse.GetValue(threads), parse.GetValue(repetitions));
            settings.Validate();
            bool asJson = parse.GetValue(json);
            string path = ResolveModel(parse.GetValue(model), parse.GetValue(preset), parse.GetValue(type)!, asJson, ct);
            var report = Measure(path, settings, ct);
            if (asJson)
                Console.WriteLine(JsonSerializer.Serialize(report, JsonOptions.Indented));
            else
                PrintTable(report);
            return 0;
        });
        return command;
    }

    /// <summary>The model file: <paramref name="model"/>, or the synthetic <paramref name="preset"/> cached in the temp folder.</summary>
    internal static string ResolveModel(string? model, string? preset, string type, bool quiet, CancellationToken ct)
    {
        if (model != null && preset != null)
            throw new ArgumentException("Give --model FILE or --preset NAME, not both.");
        if (model == null && preset == null)
            throw new ArgumentException("Say what to measure: --model FILE, or --preset NAME for a synthetic model.");
        if (model != null)
            return ModelLocator.Resolve(model);

        var spec = SynthCommand.Resolve(preset!, type);
        // The same cache as bench/Wallfacer.Bench: one file per preset and type, written once.
        string folder = Path.Combine(Path.GetTempPath(), "wallfacer-bench");
        string path = Path.Combine(folder, $"{preset!.ToLowerInvariant()}-{type.ToUpperInvariant()}.gguf");
        if (File.Exists(path))
            return path;
        Directory.CreateDirectory(folder);
        string partial = $"{path}.{Environment.ProcessId}.partial"; // renamed when complete: no truncated cache entries
        if (quiet)
        {
            SyntheticModelWriter.Write(spec, partial, cancellationToken: ct);
        }
        else
        {
            AnsiConsole.Progress().AutoClear(true).Start(p =>
            {
                var task = p.AddTask($"writing {Path.GetFileName(path)}", maxValue: 1.0);
                SyntheticModelWriter.Write(spec, partial, new Progress<double>(f => task.Value = f), ct);
            });
        }
        File.Move(partial, path, overwrite: true);
        return path;
    }

    /// <summary>
    /// Load and first token (cold: includes JIT and page faults), one generated token of warm-up, then
    /// <see cref="BenchSettings.Repetitions"/> times: a fresh sequence, the prompt as one call, and greedy
    /// generation one token at a time with the synchronous API, GC allocation counters read around that loop.
    /// </summary>
    private static BenchReport Measure(string path, BenchSettings settings, CancellationToken ct)
    {
        long start = Stopwatch.GetTimestamp();
        using var model = LanguageModel.Load(path);
        int context = (settings.Prompt + settings.Generate + 1 + 255) / 256 * 256;
        using var session = model.CreateSession(new SessionOptions { Threads = settings.Threads, ContextLength = context });
        int[] prompt = RandomPrompt(settings.Prompt, session.VocabSize);
        int first = TensorPrimitives.IndexOfMax(session.Evaluate(prompt, ct));
        double loadSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        session.Evaluate([first], ct);

        var runs = new List<BenchRun>();
        for (int r = 0; r < settings.Repetitions; r++)
        {
            ct.ThrowIfCancellationRequested();
            session.Reset();
            runs.Add(RunOnce(session, prompt, settings.Generate));
        }
        return new BenchReport
        {
            Model = Path.GetFullPath(path),
            Threads = session.ThreadCount,
            PromptTokens = settings.Prompt,
            GeneratedTokens = settings.Generate,
            LoadToFirstTokenSeconds = loadSeconds,
            PromptTokensPerSecond = Median(runs.Select(r => r.PromptTokensPerSecond)),
            GenerationTokensPerSecond = Median(runs.Select(r => r.GenerationTokensPerSecond)),
            AllocatedBytesPerToken = Median(runs.Select(r => r.AllocatedBytesPerToken)),
            PeakResidentBytes = PeakResidentBytes(),
            Runs = runs,
        };
    }

    private static BenchRun RunOnce(InferenceSession session, int[] prompt, int generate)
    {
        long start = Stopwatch.GetTimestamp();
        int token = TensorPrimitives.IndexOfMax(session.Evaluate(prompt));
        double promptSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        // Nothing of ours allocates inside this window, so the counters see only the engine.
        Span<int> one = stackalloc int[1];
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        start = Stopwatch.GetTimestamp();
        for (int i = 0; i < generate; i++)
        {
            one[0] = token;
            token = TensorPrimitives.IndexOfMax(session.Evaluate(one));
        }
        double generateSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        return new BenchRun(prompt.Length / promptSeconds, generate / generateSeconds, (double)allocated / generate);
    }

    private static void PrintTable(BenchReport report)
    {
        var table = new Table().AddColumn("figure").AddColumn(new TableColumn("value").RightAligned());
        table.Title = new TableTitle(Markup.Escape($"{Path.GetFileName(report.Model)}, {report.Threads} thread(s), median of {report.Runs.Count}"));
        table.AddRow("load → first token", Text($"{report.LoadToFirstTokenSeconds:F2} s"));
        table.AddRow(Text($"prompt ({report.PromptTokens} tokens)"), Text($"{report.PromptTokensPerSecond:F1} tok/s"));
        table.AddRow(Text($"generation ({report.GeneratedTokens} tokens)"), Text($"{report.GenerationTokensPerSecond:F1} tok/s"));
        table.AddRow("peak RSS", report.PeakResidentBytes is { } rss ? Text($"{rss / (double)(1 << 30):F2} GiB") : "n/a");
        table.AddRow("allocated per generated token", Text($"{report.AllocatedBytesPerToken:F0} B"));
        AnsiConsole.Write(table);
    }

    private static int[] RandomPrompt(int length, int vocabSize)
    {
        var random = new Random(PromptSeed);
        var tokens = new int[length];
        for (int i = 0; i < length; i++)
            tokens[i] = random.Next(vocabSize);
        return tokens;
    }

    /// <summary><c>VmHWM</c> of /proc/self/status (peak resident memory), or null off Linux.</summary>
    private static long? PeakResidentBytes()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status))
            return null;
        string? line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        string[] parts = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        return parts.Length >= 2 && long.TryParse(parts[1], CultureInfo.InvariantCulture, out long kib) ? kib * 1024 : null;
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static string Text(FormattableString text) => Markup.Escape(text.ToString(CultureInfo.InvariantCulture));

    private sealed record BenchSettings(int Prompt, int Generate, int Threads, int Repetitions)
    {
        public void Validate()
        {
            if (Prompt < 1 || Generate < 1 || Repetitions < 1 || Threads < 0)
                throw new ArgumentException("--prompt, --gen and --repetitions must be positive, --threads 0 (all) or positive.");
        }
    }

    /// <summary>One measured repetition.</summary>
    internal sealed record BenchRun(double PromptTokensPerSecond, double GenerationTokensPerSecond, double AllocatedBytesPerToken);

    /// <summary>What <c>wallfacer bench</c> reports (its JSON object); rates are medians over <see cref="Runs"/>.</summary>
    internal sealed record BenchReport
    {
        public required string Model { get; init; }
        public required int Threads { get; init; }
        public required int PromptTokens { get; init; }
        public required int GeneratedTokens { get; init; }
        public required double LoadToFirstTokenSeconds { get; init; }
        public required double PromptTokensPerSecond { get; init; }
        public required double GenerationTokensPerSecond { get; init; }
        /// <summary>GC bytes allocated by all threads during generation, per token (0 is the design goal).</summary>
        public required double AllocatedBytesPerToken { get; init; }
        /// <summary>Null where /proc/self/status is absent (not Linux).</summary>
        public long? PeakResidentBytes { get; init; }
        public required IReadOnlyList<BenchRun> Runs { get; init; }
    }
}
