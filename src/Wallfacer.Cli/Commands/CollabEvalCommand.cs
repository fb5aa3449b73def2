using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Spectre.Console;
using Wallfacer.Extensions.AI;
using Wallfacer.Extensions.AI.Collaboration;
using Wallfacer.Extensions.AI.Remote;

namespace Wallfacer.Cli.Commands;

/// <summary>
/// <c>wallfacer collab-eval -m LOCAL --cloud URL -f SET.jsonl</c>: how much a confidence cascade keeps on the
/// device and what it costs in quality and latency, per threshold (see <see cref="CollaborationEvaluator"/>).
/// </summary>
internal static class CollabEvalCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var cloud = new Option<string>("--cloud") { Description = "OpenAI-compatible endpoint of the cloud model, e.g. http://host:8000/v1.", Required = true };
        var cloudModel = new Option<string>("--cloud-model") { Description = "Model name to ask the cloud for.", DefaultValueFactory = _ => "default" };
        var keyEnv = new Option<string?>("--cloud-key-env") { Description = "Environment variable holding the cloud API key." };
        var file = new Option<FileInfo>("--file", "-f") { Description = "JSONL: one {\"prompt\": …, \"reference\": …} per line.", Required = true };
        var thresholds = new Option<double[]>("--thresholds") { Description = "Mean-logprob thresholds to report.", DefaultValueFactory = _ => [-3, -2, -1.5, -1, -0.5, -0.25], AllowMultipleArgumentsPerToken = true };
        var maxTokens = new Option<int>("--n-predict", "-n") { Description = "Most tokens per answer.", DefaultValueFactory = _ => 64 };
        var threads = CommonOptions.Threads();
        var context = CommonOptions.Context();
        var json = CommonOptions.Json();
        var trainRouter = new Option<FileInfo?>("--train-router") { Description = "Also train a router on this set (local answer good = similarity ≥ 0.5 to the reference) and save it here, for CollaborationOptions.RouterPath." };
        var command = new Command("collab-eval", "Measure a device-cloud cascade over a prompt set: local share, quality, latency and cloud tokens saved per threshold.")
        {
            model, cloud, cloudModel, keyEnv, file, thresholds, maxTokens, threads, context, json, trainRouter,
        };
        CommandRunner.SetAction(command, async (parse, ct) =>
        {
            var items = CollaborationEvaluator.ReadJsonl(parse.GetValue(file)!.FullName);
            if (items.Count == 0)
                throw new InvalidDataException($"{parse.GetValue(file)!.FullName}: no items.");
            using var local = WallfacerChatClient.Load(new WallfacerChatClientOptions
            {
                ModelPath = ModelLocator.Resolve(parse.GetValue(model)!), Threads = parse.GetValue(threads), ContextLength = parse.GetValue(context),
            });
            using var remote = new RemoteChatClient(new RemoteChatClientOptions
            {
                Endpoint = Uri.TryCreate(parse.GetValue(cloud), UriKind.Absolute, out var endpoint) && endpoint.Scheme is "http" or "https"
                    ? endpoint : throw new ArgumentException($"--cloud: '{parse.GetValue(cloud)}' is not an http(s) URL."),
                Model = parse.GetValue(cloudModel)!, ApiKeyEnvironmentVariable = parse.GetValue(keyEnv),
            });
            var options = new ChatOptions { Temperature = 0, MaxOutputTokens = parse.GetValue(maxTokens) };
            var outcomes = await CollaborationEvaluator.RunAsync(local, remote, items, options,
                new Progress<int>(n => Console.Error.Write($"\r{n}/{items.Count} prompts")), ct);
            Console.Error.WriteLine();
            var curve = CollaborationEvaluator.Curve(outcomes, parse.GetValue(thresholds)!);
            if (parse.GetValue(trainRouter) is { } routerFile)
            {
                var router = TrainedRouter.Train([.. outcomes.Select(o => (o.Item.Prompt, CollaborationEvaluator.Similarity(o.LocalAnswer, o.Item.Reference) >= 0.5))]);
                router.Save(routerFile.FullName);
                Console.Error.WriteLine($"router: trained on {router.TrainedOn} prompts, {router.TrainingCorrect} classified right; saved to {routerFile.FullName}");
            }
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new { items = items.Count, curve }, JsonOptions.Indented));
            else
                Print(curve, items.Count);
            return 0;
        });
        return command;
    }

    private static void Print(List<ThresholdPoint> curve, int items)
    {
        var table = new Table().Title($"device-cloud cascade over {items} prompts");
        foreach (string column in new[] { "threshold", "local share", "exact", "similarity", "vs cloud", "vs local", "p50 ms", "p95 ms", "cloud tokens saved" })
            table.AddColumn(column);
        foreach (var p in curve)
        {
            table.AddRow(F(p.Threshold), P(p.LocalShare), P(p.ExactMatch), F(p.Similarity), P(p.QualityVsCloud), P(p.QualityVsLocal),
                p.MedianLatencyMs.ToString("F0", CultureInfo.InvariantCulture), p.P95LatencyMs.ToString("F0", CultureInfo.InvariantCulture),
                p.CloudTokensSaved.ToString(CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(table);
    }

    private static string F(double x) => x.ToString("F2", CultureInfo.InvariantCulture);
    private static string P(double x) => (x * 100).ToString("F0", CultureInfo.InvariantCulture) + "%";
}
