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
        var cloud = new Option<string?>("--cloud") { Description = "OpenAI-compatible endpoint of a larger model to collaborate with (e.g. http://gpu-box:8000/v1); see docs/server.md." };
        var cloudModel = new Option<string?>("--cloud-model") { Description = "Model name to ask the cloud for (default: \"default\")." };
        var cloudKeyEnv = new Option<string?>("--cloud-key-env") { Description = "Environment variable holding the cloud API key (never the key itself)." };
        var policy = new Option<FileInfo?>("--policy") { Description = "JSON collaboration policy: privacy, cascade, routing, timeouts (docs/server.md)." };
        var command = new Command("serve", "Serve the model over an OpenAI-compatible HTTP API.")
        {
            model, config, host, port, parallel, queue, context, threads, keys, keyFile, maxBody, id, cors, cloud, cloudModel, cloudKeyEnv, policy,
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
                Cloud = CloudFor(parse.GetValue(cloud), parse.GetValue(cloudModel), parse.GetValue(cloudKeyEnv), parse.GetValue(policy)),
            };
            await using var server = await WallfacerServer.StartAsync(options, logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
                .AddFilter("Wallfacer.Server.Collaboration", LogLevel.Information), ct); // one line per collaborative decision
            string collaboration = options.Cloud is { } c ? $", collaborating with {c.Model} at {c.Endpoint}" : "";
            await Console.Error.WriteLineAsync($"wallfacer: serving {server.Model.Id} at {server.Url} ({options.Parallel} slots, context {server.Model.Scheduler.ContextLength}){(apiKeys.Count > 0 ? ", API key required" : "")}{collaboration}; Ctrl+C stops.");
            await server.WaitForShutdownAsync(ct);
            return 0;
        }, handlesCtrlCItself: true);
        return command;
    }

    /// <summary>The cloud settings, or null without <c>--cloud</c> (then the cloud options make no sense and are refused).</summary>
    private static Server.Collaboration.CloudOptions? CloudFor(string? url, string? model, string? keyEnv, FileInfo? policy)
    {
        if (url is null)
            return model is not null || keyEnv is not null || policy is not null ? throw new ArgumentException("--cloud-model, --cloud-key-env and --policy need --cloud URL.") : null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
            throw new ArgumentException($"--cloud: '{url}' is not an http(s) URL.");
        if (keyEnv is not null && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(keyEnv)))
            throw new ArgumentException($"--cloud-key-env: the environment variable {keyEnv} is not set (export it with the cloud's API key).");
        return new Server.Collaboration.CloudOptions
        {
            Endpoint = endpoint,
            Model = model ?? "default",
            ApiKeyEnvironmentVariable = keyEnv,
            Policy = policy is null ? new() : Server.Collaboration.CollaborationPolicyFile.Load(policy.FullName),
        };
    }
}
