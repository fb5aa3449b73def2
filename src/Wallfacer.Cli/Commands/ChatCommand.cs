using System.CommandLine;
using Microsoft.Extensions.AI;
using Wallfacer.Cli.Chat;
using Wallfacer.Extensions.AI;
using Wallfacer.Extensions.AI.Mcp;
using Wallfacer.Extensions.AI.Tools;
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
        var cloud = new Option<string?>("--cloud") { Description = "OpenAI-compatible endpoint of a larger model; uncertain local answers go there (private data redacted)." };
        var cloudModel = new Option<string>("--cloud-model") { Description = "Model name to ask the cloud for.", DefaultValueFactory = _ => "default" };
        var cloudKeyEnv = new Option<string?>("--cloud-key-env") { Description = "Environment variable holding the cloud API key." };
        var threshold = new Option<double>("--cloud-threshold") { Description = "Ask the cloud when the local answer's mean token log-probability is below this.", DefaultValueFactory = _ => -1.0 };
        var keepPrivate = new Option<bool>("--keep-private") { Description = "Never send messages with sensitive data to the cloud (default: redact them)." };
        var mcp = new Option<string[]>("--mcp")
        {
            Description = "Start an MCP server (a command line, quoted: \"npx -y @modelcontextprotocol/server-filesystem ~/notes\") and let the " +
                          "model call its tools; repeat for more servers. Each call is shown on stderr. Needs a model that can call tools.",
        };
        var threads = CommonOptions.Threads();
        var context = CommonOptions.Context();
        var preTouch = CommonOptions.PreTouch();
        var sampling = new SamplingOptions();
        var command = new Command("chat", "Chat with a model in the terminal: streamed answers, /reset, /save, /load, /stats; Ctrl+C stops an answer.")
        {
            model, system, count, template, threads, context, preTouch, cloud, cloudModel, cloudKeyEnv, threshold, keepPrivate, mcp,
        };
        sampling.AddTo(command);
        CommandRunner.SetAction(command, async (parse, ct) =>
        {
            string path = ModelLocator.Resolve(parse.GetValue(model)!);
            using var lm = LanguageModel.Load(path);
            if (parse.GetValue(preTouch))
                lm.PreTouch(parse.GetValue(threads), cancellationToken: ct);
            string? templateText = parse.GetValue(template) is { } file ? await File.ReadAllTextAsync(file.FullName, ct) : null;
            if (parse.GetValue(mcp) is { Length: > 0 } servers)
            {
                if (parse.GetValue(cloud) is not null)
                    throw new ArgumentException("--mcp and --cloud cannot be combined yet: choose tools or the cloud.");
                var clientOptions = new WallfacerChatClientOptions
                {
                    ContextLength = parse.GetValue(context), Threads = parse.GetValue(threads), ChatTemplate = templateText, MaxSessions = 1,
                };
                var chatOptions = ToChatOptions(sampling.Read(parse), parse.GetValue(count), parse.GetValue(system));
                return await ChatWithToolsAsync(lm, clientOptions, chatOptions, servers, Path.GetFileName(path), parse.GetValue(CommonOptions.Verbose), ct);
            }
            var formatter = ChatFormatter.ForModel(lm, templateText, StderrLogger.For(parse.GetValue(CommonOptions.Verbose)));
            using var session = lm.CreateSession(new SessionOptions { Threads = parse.GetValue(threads), ContextLength = parse.GetValue(context) });
            var options = new GenerationOptions { MaxTokens = parse.GetValue(count), Sampling = sampling.Read(parse) };
            using var assist = CloudAssistFor(parse.GetValue(cloud), parse.GetValue(cloudModel)!, parse.GetValue(cloudKeyEnv),
                parse.GetValue(threshold), parse.GetValue(keepPrivate));
            var loop = new ChatLoop(session, formatter, new ChatTranscript(parse.GetValue(system)), options,
                Console.In, Console.Out, Console.Error, Path.GetFileName(path), assist);
            return await loop.RunAsync(ct);
        }, handlesCtrlCItself: true);
        return command;
    }

    /// <summary>The tool chat: MCP servers started, their tools offered, every request through the tool loop.</summary>
    private static async Task<int> ChatWithToolsAsync(LanguageModel lm, WallfacerChatClientOptions clientOptions, ChatOptions chatOptions,
        string[] servers, string modelName, bool verbose, CancellationToken ct)
    {
        Console.Error.WriteLine($"starting {servers.Length} MCP server{(servers.Length == 1 ? "" : "s")}…");
        await using var tools = await McpToolSource.StartAsync(servers, loggerFactory: null, ct);
        chatOptions.Tools = [.. tools.Tools];
        var logger = StderrLogger.For(verbose);
        // The loop owns the local client (disposing a delegating client disposes the inner one); the model stays ours.
        using var client = new ToolLoopChatClient(new WallfacerChatClient(lm, clientOptions, logger), verbose ? logger : null);
        var loop = new ToolChatLoop(client, chatOptions, Console.In, Console.Out, Console.Error, modelName);
        return await loop.RunAsync(ct);
    }

    /// <summary>The command line's sampling settings as request options; min-p and repeat penalty travel under llama-server's names.</summary>
    internal static ChatOptions ToChatOptions(Wallfacer.Inference.Sampling.SamplerOptions sampler, int maxTokens, string? systemPrompt) => new()
    {
        Instructions = string.IsNullOrEmpty(systemPrompt) ? null : systemPrompt,
        MaxOutputTokens = maxTokens > 0 ? maxTokens : null,
        Temperature = sampler.Temperature,
        TopK = sampler.TopK,
        TopP = sampler.TopP,
        FrequencyPenalty = sampler.FrequencyPenalty,
        PresencePenalty = sampler.PresencePenalty,
        Seed = sampler.Seed is { } seed ? unchecked((long)seed) : null,
        AdditionalProperties = new() { ["min_p"] = (double)sampler.MinP, ["repeat_penalty"] = (double)sampler.RepetitionPenalty },
    };

    private static CloudAssist? CloudAssistFor(string? url, string model, string? keyEnv, double threshold, bool keepPrivate)
    {
        if (url is null)
            return null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
            throw new ArgumentException($"--cloud: '{url}' is not an http(s) URL.");
        var remote = new Wallfacer.Extensions.AI.Remote.RemoteChatClient(new() { Endpoint = endpoint, Model = model, ApiKeyEnvironmentVariable = keyEnv });
        return new CloudAssist(remote, new Wallfacer.Extensions.AI.Collaboration.CollaborationOptions
        {
            MinMeanLogprob = threshold,
            Privacy = keepPrivate ? Wallfacer.Extensions.AI.Collaboration.PrivacyMode.KeepLocal : Wallfacer.Extensions.AI.Collaboration.PrivacyMode.Redact,
        });
    }
}
