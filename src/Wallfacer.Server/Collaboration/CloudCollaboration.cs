using Microsoft.Extensions.Logging;
using Wallfacer.Extensions.AI.Collaboration;
using Wallfacer.Extensions.AI.Remote;

namespace Wallfacer.Server.Collaboration;

/// <summary>
/// What a collaborative server holds for its whole life: the cloud client (the API key is read once, from the
/// environment variable the options name), the policy, the counters and the log. Per request,
/// <see cref="CollaborativeChatEndpoint"/> builds the local side and a <see cref="CollaborativeChatClient"/> around both.
/// </summary>
public sealed class CloudCollaboration : IDisposable
{
    /// <summary>Decisions are logged under <c>Wallfacer.Server.Collaboration</c> (one structured line each); the
    /// collaborative client's own warnings (a failing cloud) under its type's name.</summary>
    public CloudCollaboration(CloudOptions options, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Endpoint.Scheme is not ("http" or "https"))
            throw new ArgumentException($"The cloud endpoint '{options.Endpoint}' is not an http(s) URL.", nameof(options));
        Options = options;
        Logger = loggers.CreateLogger("Wallfacer.Server.Collaboration");
        ClientLogger = loggers.CreateLogger<CollaborativeChatClient>();
        Remote = new RemoteChatClient(new RemoteChatClientOptions
        {
            Endpoint = options.Endpoint,
            Model = options.Model,
            ApiKeyEnvironmentVariable = options.ApiKeyEnvironmentVariable,
            // One exchange may take the whole budget; the collaborative client cuts the whole answer at the same point.
            Timeout = options.Policy.Options.CloudTimeout,
            MaxRetries = options.Policy.MaxRetries,
        });
    }

    public CloudOptions Options { get; }
    public RemoteChatClient Remote { get; }
    public ILogger Logger { get; }
    public ILogger ClientLogger { get; }
    public CollaborationMetrics Metrics { get; } = new();

    /// <summary>Counts the decision and logs it as structured fields (where, why, confidence, each side's cost).</summary>
    public void Record(string responseId, CollaborationDecision decision)
    {
        Metrics.Record(decision);
        Logger.LogInformation(
            "Chat completion {ResponseId} ran on {RanOn} ({Reason}): mean logprob {MeanLogprob}, local {LocalTokens} tokens in {LocalMs} ms, " +
            "cloud {CloudPromptTokens}+{CloudCompletionTokens} tokens in {CloudMs} ms, {SensitiveItems} sensitive items, {RedactedItems} redacted",
            responseId, decision.AnsweredBy, decision.Cause, decision.LocalMeanLogprob, decision.LocalOutputTokens, decision.LocalLatency?.TotalMilliseconds,
            decision.CloudInputTokens, decision.CloudOutputTokens, decision.CloudLatency?.TotalMilliseconds, decision.SensitiveItems, decision.RedactedItems);
    }

    public void Dispose() => Remote.Dispose();
}
