using System.CommandLine;
using System.Text.Json;
using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Grammar;
using Wallfacer.Inference.Sampling;

namespace Wallfacer.Cli.Commands;

/// <summary>
/// <c>wallfacer bench-grammar (-m MODEL | --preset NAME) [--json-schema FILE]</c>: what constrained decoding costs per
/// generated token — the same model, prompt and sampler with and without the grammar, runs alternating in one process,
/// medians of the per-token times, and the overhead in percent.
/// </summary>
internal static class BenchGrammarCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = CommonOptions.ModelDescription };
        var preset = new Option<string>("--preset") { Description = "A synthetic model of this shape instead of a file." };
        var type = new Option<string>("--type") { Description = "Weight type of the synthetic model.", DefaultValueFactory = _ => "Q4_0" };
        var schema = new Option<FileInfo?>("--json-schema") { Description = "The schema to enforce (default: any JSON object, response_format json_object)." };
        var grammar = new Option<FileInfo?>("--grammar") { Description = "A GBNF grammar to enforce instead of a schema." };
        var prompt = new Option<int>("--prompt", "-p") { Description = "Prompt tokens (random ids).", DefaultValueFactory = _ => 32 };
        var generate = new Option<int>("--gen", "-n") { Description = "Most tokens generated per run.", DefaultValueFactory = _ => 128 };
        var repetitions = new Option<int>("--repetitions", "-r") { Description = "Pairs of runs (free, constrained), alternating.", DefaultValueFactory = _ => 5 };
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("bench-grammar", "Per-token cost of constrained decoding (grammar / JSON schema) against free sampling.")
        {
            model, preset, type, schema, grammar, prompt, generate, repetitions, threads, json,
        };
        CommandRunner.SetAction(command, (parse, ct) =>
        {
            var constraint = GrammarFiles.Read(parse.GetValue(grammar), parse.GetValue(schema)) ?? JsonSchemaGrammar.AnyJsonObject;
            string path = BenchCommand.ResolveModel(parse.GetValue(model), parse.GetValue(preset), parse.GetValue(type)!, parse.GetValue(json), ct);
            var report = Measure(path, constraint, parse.GetValue(prompt), parse.GetValue(generate), parse.GetValue(repetitions), parse.GetValue(threads), ct);
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(report, JsonOptions.Indented));
            else
                Console.WriteLine($"free: {report.FreeMsPerToken:F2} ms/token | constrained: {report.ConstrainedMsPerToken:F2} ms/token " +
                                  $"({report.ConstrainedTokens} tokens/run median) | overhead {report.OverheadPercent:F1}% | {report.Pairs} pairs, threads {report.Threads}");
            return Task.FromResult(0);
        });
        return command;
    }

    private sealed record Report(string Model, int Threads, int Pairs, double FreeMsPerToken, double ConstrainedMsPerToken,
        double ConstrainedTokens, double OverheadPercent);

    private static Report Measure(string path, GbnfGrammar grammar, int promptLength, int generate, int pairs, int threads, CancellationToken ct)
    {
        using var lm = LanguageModel.Load(path);
        using var session = lm.CreateSession(new SessionOptions { Threads = threads, ContextLength = (promptLength + generate + 255) / 256 * 256 });
        var random = new Random(11);
        int[] prompt = [.. Enumerable.Range(0, promptLength).Select(_ => random.Next(3, session.VocabSize))];
        var free = new List<double>();
        var constrained = new List<double>();
        var constrainedTokens = new List<double>();
        Run(session, prompt, Options(generate, 0, null), ct); // warm-up (JIT) for both paths
        Run(session, prompt, Options(generate, 0, grammar), ct);
        for (int pair = 0; pair < pairs; pair++)
        {
            // Alternate which goes first, so drift on a shared machine falls on both sides.
            bool freeFirst = pair % 2 == 0;
            for (int side = 0; side < 2; side++)
            {
                bool constrain = freeFirst == (side == 1);
                var (ms, tokens) = Run(session, prompt, Options(generate, (ulong)pair + 1, constrain ? grammar : null), ct);
                (constrain ? constrained : free).Add(ms);
                if (constrain) constrainedTokens.Add(tokens);
            }
        }
        double f = Median(free), c = Median(constrained);
        return new Report(Path.GetFullPath(path), session.ThreadCount, pairs, f, c, Median(constrainedTokens), (c - f) / f * 100);
    }

    /// <summary>The free run ignores end-of-generation (a full-length run); the constrained one ends when the grammar does.</summary>
    private static GenerationOptions Options(int generate, ulong seed, GbnfGrammar? grammar) => new()
    {
        MaxTokens = generate, Grammar = grammar, IgnoreEndOfGeneration = grammar is null,
        Sampling = new SamplerOptions { Seed = seed, Temperature = 0.8f, TopK = 40, TopP = 0.95f, MinP = 0.05f },
    };

    /// <summary>Milliseconds per generated token (prompt excluded) and the number generated.</summary>
    private static (double MsPerToken, int Tokens) Run(InferenceSession session, int[] prompt, GenerationOptions options, CancellationToken ct)
    {
        session.Reset();
        var run = TextGenerator.Start(session, prompt, options);
        foreach (var _ in run.Steps(ct)) { }
        int tokens = Math.Max(1, run.GeneratedTokenCount);
        return (run.GenerationTime.TotalMilliseconds / tokens, run.GeneratedTokenCount);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
