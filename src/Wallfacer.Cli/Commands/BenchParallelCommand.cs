using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Sampling;
using Wallfacer.Inference.Scheduling;

namespace Wallfacer.Cli.Commands;

/// <summary>
/// <c>wallfacer bench-parallel (-m MODEL | --preset NAME) --parallel 1,4</c>: aggregate generation throughput of
/// the continuous-batching scheduler — N requests at once, their decode steps sharing one forward pass — against
/// one at a time, on the same model in the same run. The slot counts take turns for <c>--rounds</c> rounds and each
/// ratio is the median of the per-round ratios, so on a shared machine a ratio compares runs that were neighbours in
/// time. Every request does the same work at every slot count (its prompt, then its tokens); CPU time per token is
/// shown beside the wall-clock figures because it is far less sensitive to other processes' load.
/// </summary>
internal static class BenchParallelCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = CommonOptions.ModelDescription };
        var preset = new Option<string>("--preset") { Description = "A synthetic model of this shape instead of a file." };
        var type = new Option<string>("--type") { Description = "Weight type of the synthetic model.", DefaultValueFactory = _ => "Q4_0" };
        var parallel = new Option<int[]>("--parallel") { Description = "Slot counts to compare (each runs that many requests at once).", DefaultValueFactory = _ => [1, 4], AllowMultipleArgumentsPerToken = true };
        var prompt = new Option<int>("--prompt", "-p") { Description = "Prompt tokens per request.", DefaultValueFactory = _ => 16 };
        var generate = new Option<int>("--gen", "-n") { Description = "Tokens generated per request.", DefaultValueFactory = _ => 64 };
        var requests = new Option<int>("--requests") { Description = "Requests per slot.", DefaultValueFactory = _ => 2 };
        var rounds = new Option<int>("--rounds", "-r") { Description = "Rounds of all slot counts in turn; ratios are the median over rounds.", DefaultValueFactory = _ => 3 };
        var ride = new Option<int>("--prompt-ride") { Description = "Longest prompt remainder that rides the running decode steps (0: prompts take their own passes).", DefaultValueFactory = _ => new BatchSchedulerOptions().PromptRideLength };
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("bench-parallel", "Aggregate generation throughput with 1..N requests decoded together (continuous batching).")
        {
            model, preset, type, parallel, prompt, generate, requests, rounds, ride, threads, json,
        };
        CommandRunner.SetAction(command, async (parse, ct) =>
        {
            string path = BenchCommand.ResolveModel(parse.GetValue(model), parse.GetValue(preset), parse.GetValue(type)!, parse.GetValue(json), ct);
            using var lm = LanguageModel.Load(path, regroupWeights: true); // as `serve` loads it for several slots
            int[] slotCounts = parse.GetValue(parallel)!;
            bool quiet = parse.GetValue(json);
            var runs = slotCounts.Distinct().ToDictionary(s => s, _ => new List<Measurement>());
            var rows = new List<object>();
            for (int round = 1; round <= Math.Max(1, parse.GetValue(rounds)); round++)
            {
                foreach (int slots in slotCounts)
                {
                    var m = await Run(lm, slots, parse.GetValue(prompt), parse.GetValue(generate), parse.GetValue(requests), parse.GetValue(threads), parse.GetValue(ride), ct);
                    runs[slots].Add(m);
                    rows.Add(new { round, slots, tokens = m.Tokens, seconds = m.Seconds, tokensPerSecond = m.TokensPerSecond, cpuMsPerToken = m.CpuMsPerToken });
                    if (!quiet)
                        Console.WriteLine($"round {round}, parallel {slots}: {m.Tokens} tokens in {m.Seconds:F2} s = {m.TokensPerSecond:F1} tok/s aggregate, {m.CpuMsPerToken:F1} CPU ms/token");
                }
            }
            var summary = runs.Select(pair => Summarize(pair.Key, pair.Value, runs[slotCounts[0]])).ToList();
            if (quiet)
                Console.WriteLine(JsonSerializer.Serialize(new { runs = rows, summary }, JsonOptions.Indented));
            else
                foreach (var line in summary)
                    Console.WriteLine($"parallel {line.Slots}: median {line.TokensPerSecond:F1} tok/s aggregate (×{line.Ratio:F2} of parallel {slotCounts[0]}), "
                        + $"median {line.CpuMsPerToken:F1} CPU ms/token (×{line.CpuRatio:F2}), best {line.BestTokensPerSecond:F1} tok/s (×{line.BestRatio:F2})");
            return 0;
        });
        return command;
    }

    /// <summary>One timed run: generated tokens, wall seconds, and the process's CPU seconds (all threads).</summary>
    private readonly record struct Measurement(int Tokens, double Seconds, double CpuSeconds)
    {
        public double TokensPerSecond => Tokens / Seconds;
        public double CpuMsPerToken => CpuSeconds * 1000 / Tokens;
    }

    private sealed record Summary(int Slots, double TokensPerSecond, double Ratio, double CpuMsPerToken, double CpuRatio, double BestTokensPerSecond, double BestRatio);

    /// <summary>
    /// Medians over rounds (the ratios pair each round's run with the baseline's run of the same round), and the best
    /// runs: on a machine other processes load, the fastest run of each is the least disturbed one.
    /// </summary>
    private static Summary Summarize(int slots, List<Measurement> runs, List<Measurement> baseline) => new(
        slots,
        Median(runs.Select(m => m.TokensPerSecond)),
        Median(runs.Select((m, i) => m.TokensPerSecond / baseline[i].TokensPerSecond)),
        Median(runs.Select(m => m.CpuMsPerToken)),
        Median(runs.Select((m, i) => baseline[i].CpuMsPerToken / m.CpuMsPerToken)),
        runs.Max(m => m.TokensPerSecond),
        runs.Max(m => m.TokensPerSecond) / baseline.Max(m => m.TokensPerSecond));

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static async Task<Measurement> Run(LanguageModel model, int slots, int promptLength, int generate,
        int perSlot, int threads, int ride, CancellationToken ct)
    {
        using var scheduler = new BatchScheduler(model, new BatchSchedulerOptions
        {
            Slots = slots, MaxQueue = slots * perSlot, PromptRideLength = ride,
            Session = new SessionOptions { Threads = threads, ContextLength = (promptLength + generate + 255) / 256 * 256 },
        });
        var random = new Random(7);
        var options = new GenerationOptions { MaxTokens = generate, Sampling = new SamplerOptions { Seed = 1, Temperature = 1f, TopK = 0, TopP = 1, MinP = 0 } };
        // Warm-up outside the clock: every slot at once, long enough for the JIT to tier up the batched decode path
        // (its kernels are specialised per batch size), so neither row measures compilation.
        await Task.WhenAll(Enumerable.Range(0, slots)
            .Select(_ => scheduler.Submit(Prompt(random, promptLength, model.Config.VocabSize), options with { MaxTokens = 16 }, ct))
            .ToArray().Select(Drain));
        var prompts = Enumerable.Range(0, slots * perSlot).Select(_ => Prompt(random, promptLength, model.Config.VocabSize)).ToArray();
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var all = prompts.Select(p => scheduler.Submit(p, options, ct)).ToArray();
        var counts = await Task.WhenAll(all.Select(Drain));
        double seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        return new Measurement(counts.Sum(), seconds, (process.TotalProcessorTime - cpu).TotalSeconds);
    }

    private static int[] Prompt(Random random, int length, int vocab) =>
        Enumerable.Range(0, length).Select(i => i == 0 ? 1 : random.Next(3, vocab)).ToArray();

    private static async Task<int> Drain(BatchRequest request)
    {
        await foreach (var _ in request.Steps()) { }
        await request.Completion;
        return request.GeneratedTokenCount;
    }
}
