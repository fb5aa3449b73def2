using System.CommandLine;
using Spectre.Console;
using Wallfacer.Inference.Engine;

namespace Wallfacer.Cli.Commands;

/// <summary><c>wallfacer perplexity -m MODEL -f TEXTFILE [--ctx N]</c>, computed as llama.cpp's perplexity tool does.</summary>
internal static class PerplexityCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var file = new Option<string>("--file", "-f") { Description = "UTF-8 text file to score.", Required = true };
        var context = new Option<int>("--ctx", "-c") { Description = "Chunk length in tokens.", DefaultValueFactory = _ => 512 };
        var threads = CommonOptions.Threads();
        var command = new Command("perplexity", "Perplexity of a model on a text (llama.cpp's method: chunks of --ctx tokens, second half of each scored).")
        {
            model, file, context, threads,
        };
        CommandRunner.SetAction(command, (parse, ct) =>
        {
            string text = File.ReadAllText(parse.GetValue(file)!);
            int ctx = parse.GetValue(context);
            using var lm = LanguageModel.Load(ModelLocator.Resolve(parse.GetValue(model)!));
            using var session = lm.CreateSession(new SessionOptions { ContextLength = ctx, Threads = parse.GetValue(threads), BatchSize = Math.Min(ctx, 512) });
            var tokens = lm.Tokenizer.Encode(text, addSpecial: true, parseSpecial: false);
            PerplexityResult? result = null;
            AnsiConsole.Progress().AutoClear(true).Start(p =>
            {
                var task = p.AddTask("perplexity", maxValue: Math.Max(1, tokens.Length / ctx));
                result = PerplexityEvaluator.Compute(session, tokens, ctx, new Progress<int>(done => task.Value = done), ct);
            });
            Console.WriteLine($"perplexity: {result!.Perplexity:F4} ({result.Chunks} chunks of {ctx} tokens, {result.ScoredTokens} scored)");
            return 0;
        });
        return command;
    }
}
