using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Wallfacer.Hub;

namespace Wallfacer.Cli.Commands;

/// <summary>
/// <c>wallfacer pull OWNER/NAME[:FILE-or-QUANT] [--revision main] [--json]</c>: download a GGUF model from the
/// Hugging Face hub into its cache (HF_HOME, HF_HUB_CACHE, HF_ENDPOINT and HF_TOKEN as huggingface_hub reads them),
/// resuming an interrupted download. Progress is a bar on a terminal, plain lines on stderr otherwise.
/// </summary>
internal static class PullCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model")
        {
            Description = "owner/name, optionally :FILE (a path in the repository) or :QUANT (e.g. Q4_K_M). Without it: the only GGUF, else Q4_K_M, Q4_0 or Q8_0.",
        };
        var revision = new Option<string>("--revision") { Description = "Branch, tag or commit to download from.", DefaultValueFactory = _ => HubClient.DefaultRevision };
        var json = CommonOptions.Json();
        var command = new Command("pull", "Download a GGUF model from the Hugging Face hub into the hub cache; -m owner/name then finds it.")
        {
            model, revision, json,
        };
        CommandRunner.SetAction(command, async (parse, ct) =>
        {
            var reference = ModelReference.Parse(parse.GetValue(model)!);
            bool asJson = parse.GetValue(json);
            using var client = new HubClient(HubEnvironment.Read(), StderrLogger.For(parse.GetValue(CommonOptions.Verbose)));
            var result = await PullWithProgressAsync(client, reference, parse.GetValue(revision)!, ct).ConfigureAwait(false);
            if (asJson)
                Console.WriteLine(JsonSerializer.Serialize(result, JsonOptions.Indented));
            else
                foreach (var file in result.Files)
                    Console.WriteLine($"{result.RepoId} {file.File} ({InspectCommand.Bytes(file.Size)}{(file.Downloaded ? "" : ", already cached")}): {file.Path}");
            return 0;
        });
        return command;
    }

    private static async Task<PullResult> PullWithProgressAsync(HubClient client, ModelReference reference, string revision, CancellationToken ct)
    {
        if (Console.IsOutputRedirected)
            return await client.PullAsync(reference, revision, new PlainProgress(), ct).ConfigureAwait(false);
        return await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(),
                new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
                await client.PullAsync(reference, revision, new BarProgress(context), ct).ConfigureAwait(false))
            .ConfigureAwait(false);
    }

    /// <summary>One Spectre task per file, created when its first report arrives. Reports are applied synchronously, in order.</summary>
    private sealed class BarProgress(ProgressContext context) : IProgress<DownloadProgress>
    {
        private readonly Dictionary<string, ProgressTask> _tasks = [];

        public void Report(DownloadProgress value)
        {
            if (!_tasks.TryGetValue(value.FileName, out var task))
            {
                task = context.AddTask(Markup.Escape(value.FileName), maxValue: Math.Max(1, value.TotalBytes));
                _tasks[value.FileName] = task;
            }
            task.Value = value.BytesDone;
        }
    }

    /// <summary>For logs and pipes: a line on stderr every tenth of the file, and at the end.</summary>
    private sealed class PlainProgress : IProgress<DownloadProgress>
    {
        private readonly Dictionary<string, long> _lastTenth = [];

        public void Report(DownloadProgress value)
        {
            long tenth = value.TotalBytes == 0 ? 10 : value.BytesDone * 10 / value.TotalBytes;
            if (_lastTenth.TryGetValue(value.FileName, out long last) && tenth <= last)
                return;
            _lastTenth[value.FileName] = tenth;
            Console.Error.WriteLine($"{value.FileName}: {tenth * 10}% {InspectCommand.Bytes(value.BytesDone)} of {InspectCommand.Bytes(value.TotalBytes)}"
                + (value.BytesPerSecond > 0 ? $", {InspectCommand.Bytes((long)value.BytesPerSecond)}/s" : ""));
        }
    }
}
