using System.CommandLine;
using System.Text.Json;
using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Sampling;

namespace Wallfacer.Cli.Commands;

/// <summary>
/// <c>wallfacer run -m MODEL -p PROMPT</c>: streams generated text and prints prompt and generation speed;
/// with <c>--json</c>, one object with token ids, text, timings and optional top log-probabilities.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var prompt = new Option<string>("--prompt", "-p") { Description = "The prompt.", Required = true };
        var count = new Option<int>("--n-predict", "-n") { Description = "Most tokens to generate.", DefaultValueFactory = _ => 128 };
        var sampling = new SamplingOptions();
        var stops = new Option<string[]>("--stop") { Description = "Stop when this text appears (repeatable).", AllowMultipleArgumentsPerToken = false };
        var topLogprobs = new Option<int>("--top-logprobs") { Description = "Report the K most likely tokens at each generated position (with --json)." };
        var threads = CommonOptions.Threads();
        var context = CommonOptions.Context();
        var preTouch = CommonOptions.PreTouch();
        var grammar = new Option<FileInfo?>("--grammar-file", "--grammar") { Description = "A GBNF grammar (llama.cpp's format) the output must match." };
        var schema = new Option<FileInfo?>("--json-schema") { Description = "A JSON Schema file the output must validate against (enforced while sampling)." };
        var json = CommonOptions.Json();
        var command = new Command("run", "Generate text from a prompt.")
        {
            model, prompt, count, stops, topLogprobs, threads, context, json, preTouch, grammar, schema,
        };
        sampling.AddTo(command);
        CommandRunner.SetAction(command, async (parse, ct) =>
        {
            var options = new GenerationOptions
            {
                MaxTokens = parse.GetValue(count), Sampling = sampling.Read(parse), StopStrings = parse.GetValue(stops) ?? [],
                TopLogprobs = parse.GetValue(topLogprobs),
                Grammar = GrammarFiles.Read(parse.GetValue(grammar), parse.GetValue(schema)),
            };
            var loadClock = System.Diagnostics.Stopwatch.StartNew();
            using var lm = LanguageModel.Load(ModelLocator.Resolve(parse.GetValue(model)!));
            if (parse.GetValue(preTouch))
                lm.PreTouch(parse.GetValue(threads), cancellationToken: ct);
            using var session = lm.CreateSession(new SessionOptions { Threads = parse.GetValue(threads), ContextLength = parse.GetValue(context) });
            var load = loadClock.Elapsed;
            return parse.GetValue(json)
                ? RunJson(session, parse.GetValue(prompt)!, options, load, ct)
                : await RunStreaming(session, parse.GetValue(prompt)!, options, ct);
        });
        return command;
    }

    private static async Task<int> RunStreaming(InferenceSession session, string prompt, GenerationOptions options, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TimeSpan? first = null;
        int generated = 0;
        Console.Write(prompt);
        await foreach (var step in TextGenerator.GenerateAsync(session, prompt, options, ct))
        {
            first ??= clock.Elapsed;
            if (step.Token >= 0)
                generated++;
            Console.Write(step.Text);
            await Console.Out.FlushAsync(ct);
        }
        var total = clock.Elapsed;
        int promptTokens = session.Tokens.Count - generated + (generated > 0 ? 1 : 0);
        Console.WriteLine();
        var genTime = total - (first ?? total);
        await Console.Error.WriteLineAsync(
            $"prompt: {promptTokens} tokens, {promptTokens / Math.Max(1e-9, (first ?? total).TotalSeconds):F1} tok/s (incl. first token) | " +
            $"generation: {generated} tokens, {Math.Max(0, generated - 1) / Math.Max(1e-9, genTime.TotalSeconds):F1} tok/s | threads {session.ThreadCount}");
        return 0;
    }

    private static int RunJson(InferenceSession session, string prompt, GenerationOptions options, TimeSpan load, CancellationToken ct)
    {
        var r = TextGenerator.Complete(session, prompt, options, ct);
        var tokenizer = session.Model.Tokenizer;
        var output = new
        {
            promptTokens = r.PromptTokens,
            generatedTokens = r.GeneratedTokens.ToArray(),
            text = r.Text,
            finishReason = r.FinishReason.ToString(),
            seed = r.Seed,
            timings = new
            {
                loadMs = load.TotalMilliseconds,
                promptMs = r.PromptTime.TotalMilliseconds,
                generationMs = r.GenerationTime.TotalMilliseconds,
                promptTokensPerSecond = r.PromptTokensPerSecond,
                generationTokensPerSecond = r.GenerationTokensPerSecond,
                threads = session.ThreadCount,
            },
            logprobs = options.TopLogprobs > 0
                ? r.Steps.Select(s => new
                {
                    token = s.Token,
                    piece = tokenizer.Decode([s.Token]),
                    logprob = s.Logprob,
                    top = s.TopLogprobs!.Select(t => new { token = t.Token, piece = tokenizer.Decode([t.Token]), logprob = t.Logprob }),
                }).ToArray()
                : null,
        };
        Console.WriteLine(JsonSerializer.Serialize(output, JsonOptions.Indented));
        return 0;
    }
}
