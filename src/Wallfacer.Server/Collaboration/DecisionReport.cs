using Wallfacer.Extensions.AI.Collaboration;

namespace Wallfacer.Server.Collaboration;

/// <summary>
/// The <c>wallfacer</c> extension object added to every collaborative chat completion (and to the last chunk of a
/// stream): where it ran, why, how sure the local model was, what each side cost. OpenAI clients ignore unknown
/// fields, so the response stays compatible. It never holds a sensitive value: only counts and placeholders' kinds.
/// </summary>
internal static class DecisionReport
{
    public static DecisionDto From(CollaborationDecision decision, CollaborationOptions policy, string cloudModel) => new(
        RanOn: decision.AnsweredBy,
        Reason: decision.Cause,
        Steps: [.. decision.Reasons],
        Confidence: decision.LocalConfidence is { } c
            ? new ConfidenceDto(c.Tokens, Finite(c.MeanLogprob), Finite(c.MinLogprob), Finite(c.MeanEntropy), policy.Cascade ? policy.MinMeanLogprob : null)
            : null,
        Privacy: new PrivacyDto(
            policy.Privacy switch { PrivacyMode.KeepLocal => "keep_local", PrivacyMode.Off => "off", _ => "redact" },
            decision.SensitiveItems, decision.RedactedItems),
        Local: decision.LocalLatency is { } localLatency
            ? new LocalSideDto(decision.LocalOutputTokens, Math.Round(localLatency.TotalMilliseconds, 1))
            : null,
        Cloud: decision.CloudLatency is { } cloudLatency
            ? new CloudSideDto(cloudModel, decision.CloudInputTokens, decision.CloudOutputTokens, Math.Round(cloudLatency.TotalMilliseconds, 1))
            : null);

    /// <summary>JSON has no infinities; an impossible value is reported as null rather than breaking the response.</summary>
    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}

/// <summary>The decision object (see <see cref="DecisionReport"/>); absent parts are null.</summary>
internal sealed record DecisionDto(string RanOn, string Reason, IReadOnlyList<string> Steps, ConfidenceDto? Confidence,
    PrivacyDto Privacy, LocalSideDto? Local, CloudSideDto? Cloud);

/// <summary>How sure the local model was, and the cascade's threshold (null when the cascade is off).</summary>
internal sealed record ConfidenceDto(int Tokens, double? MeanLogprob, double? MinLogprob, double? MeanEntropy, double? Threshold);

/// <summary>The privacy mode and how many sensitive items were found and redacted.</summary>
internal sealed record PrivacyDto(string Mode, int SensitiveItems, int RedactedItems);

/// <summary>What the local model produced and how long it took.</summary>
internal sealed record LocalSideDto(long? Tokens, double LatencyMs);

/// <summary>What the cloud model was sent and returned, and how long it took.</summary>
internal sealed record CloudSideDto(string Model, long? PromptTokens, long? CompletionTokens, double LatencyMs);
