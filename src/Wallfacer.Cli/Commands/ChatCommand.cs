using System.CommandLine;
using Wallfacer.Cli.Chat;
using Wallfacer.Inference.Chat;
using Wallfacer.Inference.Engine;

namespace Wallfacer.Cli.Commands;

/// <summary><c>wallfacer chat -m MODEL</c>: an interactive chat in the terminal (see <see cref="ChatLoop"/>).</summary>
internal static class ChatCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var system = new Option<string?>("--system-prompt", "--system", "-sys") { Description = "A system prompt that starts the conversation." };
        var count = new Option<int>("--n-predict", "-n") { Description = "Most tokens per answer (0 = until the model stops or the context is full)." };
        var template = new Option<FileInfo?>("--chat-template-file") { Description = "A Jinja chat template to use instead of the model's." };
        var threads = CommonOptions.Threads();
        var context = CommonOptions.Context();
        var preTouch = CommonOptions.PreTouch();
        var sampling = new SamplingOptions();
        var command = new Command("chat", "Chat with a model in the terminal: streamed answers, /reset, /save, /load, /stats; Ctrl+C stops an answer.")
        {
            model, system, count, template, threads, context, preTouch,
        };
        sampling.AddTo(command);
        CommandRunner.SetAction(command, async (parse, ct) =>
        {
            string path = ModelLocator.Resolve(parse.GetValue(model)!);
            using var lm = LanguageModel.Load(path);
            if (parse.GetValue(preTouch))
                lm.PreTouch(parse.GetValue(threads), cancellationToken: ct);
            string? templateText = parse.GetValue(template) is { } file ? await File.ReadAllTextAsync(file.FullName, ct) : null;
            var formatter = ChatFormatter.ForModel(lm, templateText, StderrLogger.For(parse.GetValue(CommonOptions.Verbose)));
            using var session = lm.CreateSession(new SessionOptions { Threads = parse.GetValue(threads), ContextLength = parse.GetValue(context) });
            var options = new GenerationOptions { MaxTokens = parse.GetValue(count), Sampling = sampling.Read(parse) };
            var loop = new ChatLoop(session, formatter, new ChatTranscript(parse.GetValue(system)), options,
                Console.In, Console.Out, Console.Error, Path.GetFileName(path));
            return await loop.RunAsync(ct);
        }, handlesCtrlCItself: true);
        return command;
    }
}
