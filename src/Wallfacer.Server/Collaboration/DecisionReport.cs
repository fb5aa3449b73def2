using System.Text.Json.Nodes;
using Wallfacer.Extensions.AI.Collaboration;

namespace Wallfacer.Server.Collaboration;

/// <summary>
/// The <c>wallfacer</c> extension object added to every collaborative chat completion (and to the last chunk of a
/// stream): where it ran, why, how sure the local model was, what each side cost. OpenAI clients ignore unknown
/// fields, so the response stays compatible. It never holds a sensitive value: only counts and placeholders' kinds.
/// </summary>
internal static class DecisionReport
{
    public static JsonObject ToJson(CollaborationDecision decision, CollaborationOptions policy, string cloudModel) => new()
    {
        ["ran_on"] = decision.AnsweredBy,
        ["reason"] = decision.Cause,
        ["steps"] = new JsonArray(decision.Reasons.Select(r => (JsonNode?)r).ToArray()),
        ["confidence"] = decision.LocalConfidence is { } c ? new JsonObject
        {
            ["tokens"] = c.Tokens,
            ["mean_logprob"] = Finite(c.MeanLogprob),
            ["min_logprob"] = Finite(c.MinLogprob),
            ["mean_entropy"] = Finite(c.MeanEntropy),
            ["threshold"] = policy.Cascade ? policy.MinMeanLogprob : null,
        } : null,
        ["privacy"] = new JsonObject
        {
            ["mode"] = policy.Privacy switch { PrivacyMode.KeepLocal => "keep_local", PrivacyMode.Off => "off", _ => "redact" },
            ["sensitive_items"] = decision.SensitiveItems,
            ["redacted_items"] = decision.RedactedItems,
        },
        ["local"] = decision.LocalLatency is { } localLatency ? new JsonObject
        {
            ["tokens"] = decision.LocalOutputTokens,
            ["latency_ms"] = Math.Round(localLatency.TotalMilliseconds, 1),
        } : null,
        ["cloud"] = decision.CloudLatency is { } cloudLatency ? new JsonObject
        {
            ["model"] = cloudModel,
            ["prompt_tokens"] = decision.CloudInputTokens,
            ["completion_tokens"] = decision.CloudOutputTokens,
            ["latency_ms"] = Math.Round(cloudLatency.TotalMilliseconds, 1),
        } : null,
    };

    /// <summary>JSON has no infinities; an impossible value is reported as null rather than breaking the response.</summary>
    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
