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
        var model = new Option<string>("--model", "-m") { Description = CommonOptions.ModelDescription + " Required here or in --config." };
        var config = new Option<FileInfo?>("--config") { Description = "A JSON file with these settings (camelCase keys: model, port, parallel, ctxSize, apiKeys, corsOrigins, …); the command line wins." };
        var cors = new Option<string[]>("--cors-origin") { Description = "Allow browsers on this origin to call the API (repeatable; * for any). Default: CORS off.", AllowMultipleArgumentsPerToken = false };
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
            model, config, host, port, parallel, queue, context, threads, keys, keyFile, maxBody, id, cors,
        };
        CommandRunner.SetAction(command, async (parse, ct) =>
        {
            var file = parse.GetValue(config) is { } f ? ServeConfig.Read(f) : new ServeConfig();
            // A value given on the command line wins; otherwise the config file's; otherwise the option's default.
            bool Given(Option option) => parse.GetResult(option) is { Implicit: false };
            T Pick<T>(Option<T> option, T? fromFile) where T : struct => Given(option) || fromFile is null ? parse.GetValue(option) : fromFile.Value;
            var apiKeys = (parse.GetValue(keys) is { Length: > 0 } given ? given : file.ApiKeys ?? []).ToList();
            string? keyPath = parse.GetValue(keyFile)?.FullName ?? file.ApiKeyFile;
            if (keyPath is not null)
                apiKeys.AddRange(File.ReadAllLines(keyPath).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')));
            string modelName = parse.GetValue(model) ?? file.Model
                ?? throw new ArgumentException("No model: give -m MODEL or \"model\" in the --config file.");
            var options = new ServerOptions
            {
                ModelPath = ModelLocator.Resolve(modelName),
                ModelId = parse.GetValue(id) ?? file.Alias,
                Host = Given(host) || file.Host is null ? parse.GetValue(host)! : file.Host,
                Port = Pick(port, file.Port),
                Parallel = Pick(parallel, file.Parallel),
                MaxQueue = Pick(queue, file.Queue),
                ContextLength = Pick(context, file.CtxSize),
                Threads = Pick(threads, file.Threads),
                ApiKeys = apiKeys,
                MaxBodyBytes = Pick(maxBody, file.MaxBodyBytes),
                CorsOrigins = parse.GetValue(cors) is { Length: > 0 } origins ? origins : file.CorsOrigins ?? [],
            };
            await using var server = await WallfacerServer.StartAsync(options, logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning), ct);
            await Console.Error.WriteLineAsync($"wallfacer: serving {server.Model.Id} at {server.Url} ({options.Parallel} slots, context {server.Model.Scheduler.ContextLength}){(apiKeys.Count > 0 ? ", API key required" : "")}; Ctrl+C stops.");
            await server.WaitForShutdownAsync(ct);
            return 0;
        }, handlesCtrlCItself: true);
        return command;
    }
}
