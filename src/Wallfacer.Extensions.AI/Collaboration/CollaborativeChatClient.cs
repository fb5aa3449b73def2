using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Wallfacer.Extensions.AI.Collaboration.Privacy;
using Wallfacer.Inference.Engine;

namespace Wallfacer.Extensions.AI.Collaboration;

/// <summary>
/// Device-cloud collaboration: one <see cref="IChatClient"/> over a local model and a remote one. Per request:
/// <list type="number">
/// <item><b>Privacy</b>: a local detector finds sensitive items; by policy the request stays on the device, or
/// every item is replaced by a placeholder before anything leaves and restored in the answer.</item>
/// <item><b>Route</b>: cheap signals from the request (tools offered, prompt length, a caller-declared
/// difficulty <c>AdditionalProperties["wallfacer.difficulty"] = "hard"</c>) send it straight to the cloud.</item>
/// <item><b>Cascade</b>: otherwise the local model answers, and its own confidence (mean/min token log-probability,
/// entropy) decides whether that answer stands or the cloud is asked.</item>
/// <item><b>Failover</b>: a cloud that fails or exceeds its time budget falls back to the local answer; a local
/// model that cannot take the request (context full, busy) hands it to the cloud — unless it is private.</item>
/// </list>
/// The decision is recorded on every response under <see cref="DecisionKey"/> and logged. Because the cascade
/// must see the whole local answer before choosing, streaming delivers the chosen answer after the decision.
/// </summary>
public sealed class CollaborativeChatClient : IChatClient
{
    /// <summary>Key of the <see cref="CollaborationDecision"/> in a response's <c>AdditionalProperties</c>.</summary>
    public const string DecisionKey = "wallfacer.collaboration";

    /// <summary>Request <c>AdditionalProperties</c> key for a caller-declared difficulty ("easy", "hard").</summary>
    public const string DifficultyKey = "wallfacer.difficulty";

    private readonly IChatClient _local;
    private readonly IChatClient _cloud;
    private readonly CollaborationOptions _options;
    private readonly SensitiveDataDetector _detector;
    private readonly ILogger _logger;
    private readonly TrainedRouter? _router;

    public CollaborativeChatClient(IChatClient local, IChatClient cloud, CollaborationOptions? options = null, ILogger? logger = null)
    {
        _local = local;
        _cloud = cloud;
        _options = options ?? new CollaborationOptions();
        _detector = new SensitiveDataDetector(rules: _options.Rules);
        _logger = logger ?? NullLogger.Instance;
        _router = _options.Router ?? (_options.RouterPath is { Length: > 0 } path ? TrainedRouter.Load(path) : null);
        Metadata = new ChatClientMetadata("wallfacer-collaborative", null, local.GetService<ChatClientMetadata>()?.DefaultModelId);
    }

    public ChatClientMetadata Metadata { get; }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var request = messages.ToList();
        var decision = new CollaborationDecision();
        var findings = _options.Privacy == PrivacyMode.Off ? [] : _detector.Find(AllText(request, options));
        bool mustStayLocal = findings.Count > 0 && _options.Privacy == PrivacyMode.KeepLocal;
        decision.SensitiveItems = findings.Count;
        if (findings.Count > 0)
            decision.Reasons.Add(mustStayLocal ? $"sensitive data ({Kinds(findings)}): kept on the device" : $"sensitive data ({Kinds(findings)}): redacted for the cloud");

        ChatResponse response;
        if (!mustStayLocal && RouteToCloud(request, options) is { } route)
        {
            decision.Reasons.Add(route.Reason);
            decision.Cause = route.Cause;
            response = await CloudOrLocal(request, options, decision, localAnswer: null, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            response = await LocalFirst(request, options, decision, mustStayLocal, cancellationToken).ConfigureAwait(false);
        }
        (response.AdditionalProperties ??= [])[DecisionKey] = decision;
        _logger.LogInformation("Collaboration: {Decision}", decision);
        return response;
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates())
            yield return update;
    }

    private async Task<ChatResponse> LocalFirst(List<ChatMessage> request, ChatOptions? options, CollaborationDecision decision,
        bool mustStayLocal, CancellationToken ct)
    {
        ChatResponse local;
        var clock = Stopwatch.StartNew();
        try
        {
            local = await _local.GetResponseAsync(request, options, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (!mustStayLocal && ex is ContextFullException or Inference.Scheduling.QueueFullException)
        {
            decision.Reasons.Add($"local model could not take it ({ex.GetType().Name}): cloud");
            decision.Cause = CollaborationCause.LocalUnavailable;
            return await CloudOrLocal(request, options, decision, localAnswer: null, ct).ConfigureAwait(false);
        }
        var confidence = NoteLocal(decision, local, clock.Elapsed);
        string? doubt = _options.Cascade ? Doubt(confidence) : null;
        if (doubt is null && _options.Cascade && _options.SelfCheck
            && !await SelfCheck.ConfirmsAsync(_local, request, local, _options.SelfCheckQuestion, options, ct).ConfigureAwait(false))
            doubt = "self-check: the local model judged its answer wrong";
        if (doubt is null)
        {
            decision.Reasons.Add(_options.Cascade ? $"confident (mean logprob {confidence?.MeanLogprob:F2})" : "answered locally");
            decision.Cause = _options.Cascade ? CollaborationCause.Confident : CollaborationCause.CascadeOff;
            decision.AnsweredBy = "local";
            return local;
        }
        if (mustStayLocal)
        {
            decision.Reasons.Add($"{doubt}, but private: local answer kept");
            decision.Cause = CollaborationCause.PrivateKeptLocal;
            decision.AnsweredBy = "local";
            return local;
        }
        decision.Reasons.Add(doubt);
        decision.Cause = doubt.StartsWith("self-check", StringComparison.Ordinal) ? CollaborationCause.SelfCheckFailed : CollaborationCause.LowConfidence;
        return await CloudOrLocal(request, options, decision, local, ct).ConfigureAwait(false);
    }

    /// <summary>Asks the cloud (redacted as the policy says); on failure or timeout falls back to the local answer.</summary>
    private async Task<ChatResponse> CloudOrLocal(List<ChatMessage> request, ChatOptions? options, CollaborationDecision decision,
        ChatResponse? localAnswer, CancellationToken ct)
    {
        var redaction = new Redaction();
        var outgoing = _options.Privacy == PrivacyMode.Redact ? Redact(request, redaction) : request;
        var outgoingOptions = options?.Clone();
        if (outgoingOptions?.Instructions is { } instructions && _options.Privacy == PrivacyMode.Redact)
            outgoingOptions.Instructions = redaction.Redact(instructions, _detector.Find(instructions));
        decision.RedactedItems = redaction.Count;

        var clock = Stopwatch.StartNew();
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(_options.CloudTimeout);
        try
        {
            var cloud = await _cloud.GetResponseAsync(outgoing, outgoingOptions, budget.Token).ConfigureAwait(false);
            decision.CloudLatency = clock.Elapsed;
            decision.CloudInputTokens = cloud.Usage?.InputTokenCount;
            decision.CloudOutputTokens = cloud.Usage?.OutputTokenCount;
            decision.AnsweredBy = "cloud";
            return redaction.Count > 0 ? Restore(cloud, redaction) : cloud;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            decision.CloudLatency = clock.Elapsed;
            // Cancellation we did not ask for is the budget or the HTTP client's own timeout: both mean "too slow".
            bool timedOut = budget.IsCancellationRequested || ex is OperationCanceledException or TimeoutException;
            string why = timedOut ? $"cloud exceeded {_options.CloudTimeout.TotalSeconds:F0} s" : $"cloud failed ({ex.GetType().Name}: {ex.Message})";
            _logger.LogWarning("Collaboration: {Why}; answering locally.", why);
            decision.Reasons.Add(why + ": local answer");
            decision.Cause = timedOut ? CollaborationCause.CloudTimeout : CollaborationCause.CloudFailed;
            decision.AnsweredBy = "local";
            if (localAnswer is not null)
                return localAnswer;
            var localClock = Stopwatch.StartNew();
            var local = await _local.GetResponseAsync(request, options, ct).ConfigureAwait(false);
            NoteLocal(decision, local, localClock.Elapsed);
            return local;
        }
    }

    /// <summary>Records the local answer's cost and confidence on the decision; returns the confidence.</summary>
    private static GenerationConfidence? NoteLocal(CollaborationDecision decision, ChatResponse local, TimeSpan latency)
    {
        decision.LocalLatency = latency;
        decision.LocalOutputTokens = local.Usage?.OutputTokenCount;
        var confidence = local.AdditionalProperties?.TryGetValue(WallfacerChatClient.ConfidenceKey, out object? c) == true ? c as GenerationConfidence : null;
        decision.LocalMeanLogprob = confidence?.MeanLogprob;
        decision.LocalConfidence = confidence;
        return confidence;
    }

    private string? Doubt(GenerationConfidence? confidence)
    {
        if (confidence is null || confidence.Tokens == 0)
            return "no confidence reported by the local model";
        if (confidence.MeanLogprob < _options.MinMeanLogprob)
            return $"low confidence (mean logprob {confidence.MeanLogprob:F2} < {_options.MinMeanLogprob:F2})";
        if (_options.MinTokenLogprob is double minToken && confidence.MinLogprob < minToken)
            return $"an unsure token (logprob {confidence.MinLogprob:F2} < {minToken:F2})";
        if (_options.MaxMeanEntropy is double maxEntropy && confidence.MeanEntropy > maxEntropy)
            return $"high entropy ({confidence.MeanEntropy:F2} > {maxEntropy:F2})";
        return null;
    }

    private (string Reason, string Cause)? RouteToCloud(List<ChatMessage> request, ChatOptions? options)
    {
        if (options?.AdditionalProperties?.TryGetValue(DifficultyKey, out object? difficulty) == true
            && string.Equals(difficulty?.ToString(), "hard", StringComparison.OrdinalIgnoreCase))
            return ("declared hard: cloud", CollaborationCause.DeclaredHard);
        if (_router is not null && LastUserText(request) is { Length: > 0 } question
            && _router.LocalFailureProbability(question) is var p && p > _router.Threshold)
            return ($"router: the local answer would likely fail (p = {p:F2} > {_router.Threshold:F2}): cloud", CollaborationCause.Router);
        if (_options.RouteToolRequestsToCloud && options?.Tools is { Count: > 0 })
            return ("tools requested: cloud", CollaborationCause.Tools);
        int length = request.Sum(m => m.Text.Length);
        if (_options.MaxLocalPromptCharacters > 0 && length > _options.MaxLocalPromptCharacters)
            return ($"long prompt ({length} > {_options.MaxLocalPromptCharacters} characters): cloud", CollaborationCause.LongPrompt);
        return null;
    }

    private static string LastUserText(List<ChatMessage> request) =>
        request.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? "";

    /// <summary>Everything of the request that would leave the device, as one text for detection.</summary>
    private static string AllText(List<ChatMessage> request, ChatOptions? options)
    {
        var text = new StringBuilder(options?.Instructions);
        foreach (var message in request)
        {
            foreach (var content in message.Contents)
            {
                text.Append('\n');
                text.Append(content switch
                {
                    TextContent t => t.Text,
                    FunctionCallContent call => JsonSerializer.Serialize(call.Arguments, AIJsonUtilities.DefaultOptions),
                    FunctionResultContent result => JsonSerializer.Serialize(result.Result, AIJsonUtilities.DefaultOptions),
                    _ => "",
                });
            }
        }
        return text.ToString();
    }

    private List<ChatMessage> Redact(List<ChatMessage> request, Redaction redaction) =>
        request.Select(message => new ChatMessage(message.Role, message.Contents.Select(content => Redact(content, redaction)).ToList())
        {
            AuthorName = message.AuthorName,
        }).ToList();

    private AIContent Redact(AIContent content, Redaction redaction) => content switch
    {
        TextContent t => new TextContent(redaction.Redact(t.Text, _detector.Find(t.Text))),
        FunctionResultContent r => new FunctionResultContent(r.CallId, RedactJson(r.Result, redaction)),
        FunctionCallContent c => new FunctionCallContent(c.CallId, c.Name,
            c.Arguments?.ToDictionary(kv => kv.Key, kv => (object?)RedactJson(kv.Value, redaction))),
        _ => content,
    };

    private string RedactJson(object? value, Redaction redaction)
    {
        string text = value as string ?? JsonSerializer.Serialize(value, AIJsonUtilities.DefaultOptions);
        return redaction.Redact(text, _detector.Find(text));
    }

    private static ChatResponse Restore(ChatResponse response, Redaction redaction)
    {
        foreach (var message in response.Messages)
        {
            for (int i = 0; i < message.Contents.Count; i++)
            {
                if (message.Contents[i] is TextContent t)
                    message.Contents[i] = new TextContent(redaction.Restore(t.Text));
            }
        }
        return response;
    }

    private static string Kinds(IReadOnlyList<SensitiveFinding> findings) =>
        string.Join(", ", findings.GroupBy(f => f.Kind).Select(g => $"{g.Count()} {g.Key}"));

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType.IsInstanceOfType(this))
            return this;
        return _local.GetService(serviceType, serviceKey);
    }

    public void Dispose()
    {
    }
}
