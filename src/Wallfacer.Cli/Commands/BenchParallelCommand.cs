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
/// one at a time, on the same model in the same run (so the ratio means something on a shared machine).
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
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("bench-parallel", "Aggregate generation throughput with 1..N requests decoded together (continuous batching).")
        {
            model, preset, type, parallel, prompt, generate, requests, threads, json,
        };
        CommandRunner.SetAction(command, async (parse, ct) =>
        {
            string path = BenchCommand.ResolveModel(parse.GetValue(model), parse.GetValue(preset), parse.GetValue(type)!, parse.GetValue(json), ct);
            using var lm = LanguageModel.Load(path);
            var rows = new List<object>();
            foreach (int slots in parse.GetValue(parallel)!)
            {
                var (tokens, seconds) = await Run(lm, slots, parse.GetValue(prompt), parse.GetValue(generate), parse.GetValue(requests), parse.GetValue(threads), ct);
                rows.Add(new { slots, tokens, seconds, tokensPerSecond = tokens / seconds });
                if (!parse.GetValue(json))
                    Console.WriteLine($"parallel {slots}: {tokens} tokens in {seconds:F2} s = {tokens / seconds:F1} tok/s aggregate");
            }
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(rows, JsonOptions.Indented));
            return 0;
        });
        return command;
    }

    private static async Task<(int Tokens, double Seconds)> Run(LanguageModel model, int slots, int promptLength, int generate,
        int perSlot, int threads, CancellationToken ct)
    {
        using var scheduler = new BatchScheduler(model, new BatchSchedulerOptions
        {
            Slots = slots, MaxQueue = slots * perSlot,
            Session = new SessionOptions { Threads = threads, ContextLength = (promptLength + generate + 255) / 256 * 256 },
        });
        var random = new Random(7);
        var options = new GenerationOptions { MaxTokens = generate, Sampling = new SamplerOptions { Seed = 1, Temperature = 1f, TopK = 0, TopP = 1, MinP = 0 } };
        // Warm-up outside the clock: every slot at once, long enough for the JIT to tier up the batched decode path
        // (its kernels are specialised per batch size), so neither row measures compilation.
        await Task.WhenAll(Enumerable.Range(0, slots)
            .Select(_ => scheduler.Submit(Prompt(random, promptLength, model.Config.VocabSize), options with { MaxTokens = 16 }, ct))
            .ToArray().Select(Drain));
        var clock = Stopwatch.StartNew();
        var all = Enumerable.Range(0, slots * perSlot)
            .Select(_ => scheduler.Submit(Prompt(random, promptLength, model.Config.VocabSize), options, ct)).ToArray();
        var counts = await Task.WhenAll(all.Select(Drain));
        return (counts.Sum(), clock.Elapsed.TotalSeconds);
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
