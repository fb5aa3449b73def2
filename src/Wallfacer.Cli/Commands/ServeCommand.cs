using System.CommandLine;
using Microsoft.Extensions.Logging;
using Wallfacer.Server;

namespace Wallfacer.Cli.Commands;

/// <summary>
/// <c>wallfacer serve -m MODEL</c>: an OpenAI-compatible HTTP API (chat completions, completions, embeddings,
/// models, health) on loopback by default. Ctrl+C or SIGTERM stop it gracefully.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var host = new Option<string>("--host") { Description = "Address to listen on (default loopback; 0.0.0.0 exposes the server).", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port to listen on.", DefaultValueFactory = _ => 8080 };
        var parallel = new Option<int>("--parallel", "-np") { Description = "Requests generating at once (their decode steps share one pass).", DefaultValueFactory = _ => 4 };
        var queue = new Option<int>("--queue") { Description = "Requests waiting beyond the slots before 429.", DefaultValueFactory = _ => 64 };
        var context = new Option<int>("--ctx-size", "-c") { Description = "Context per slot in tokens (default: the model's, at most 4096)." };
        var threads = CommonOptions.Threads();
        var keys = new Option<string[]>("--api-key") { Description = "Require this API key (repeatable).", AllowMultipleArgumentsPerToken = false };
        var keyFile = new Option<FileInfo?>("--api-key-file") { Description = "File with one API key per line." };
        var maxBody = new Option<long>("--max-body-bytes") { Description = "Largest request body accepted.", DefaultValueFactory = _ => 4L << 20 };
        var id = new Option<string?>("--alias") { Description = "Model id clients use (default: the file name)." };
        var command = new Command("serve", "Serve the model over an OpenAI-compatible HTTP API.")
        {
            model, host, port, parallel, queue, context, threads, keys, keyFile, maxBody, id,
        };
        CommandRunner.SetAction(command, async (parse, ct) =>
        {
            var apiKeys = (parse.GetValue(keys) ?? []).ToList();
            if (parse.GetValue(keyFile) is { } file)
                apiKeys.AddRange(File.ReadAllLines(file.FullName).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')));
            var options = new ServerOptions
            {
                ModelPath = ModelLocator.Resolve(parse.GetValue(model)!),
                ModelId = parse.GetValue(id),
                Host = parse.GetValue(host)!,
                Port = parse.GetValue(port),
                Parallel = parse.GetValue(parallel),
                MaxQueue = parse.GetValue(queue),
                ContextLength = parse.GetValue(context),
                Threads = parse.GetValue(threads),
                ApiKeys = apiKeys,
                MaxBodyBytes = parse.GetValue(maxBody),
            };
            await using var server = await WallfacerServer.StartAsync(options, logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning), ct);
            await Console.Error.WriteLineAsync($"wallfacer: serving {server.Model.Id} at {server.Url} ({options.Parallel} slots, context {server.Model.Scheduler.ContextLength}){(apiKeys.Count > 0 ? ", API key required" : "")}; Ctrl+C stops.");
            await server.WaitForShutdownAsync(ct);
            return 0;
        }, handlesCtrlCItself: true);
        return command;
    }
}
