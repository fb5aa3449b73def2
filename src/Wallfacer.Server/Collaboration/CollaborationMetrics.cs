using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Wallfacer.Extensions.AI.Collaboration;

namespace Wallfacer.Server.Collaboration;

/// <summary>
/// The collaboration counters appended to <c>GET /metrics</c>: chat completions by where they ran and why (the
/// reason is a <see cref="CollaborationCause"/> code, a fixed set, so clients cannot grow the label space),
/// sensitive items redacted, and the tokens the cloud consumed. Thread-safe.
/// </summary>
public sealed class CollaborationMetrics
{
    private readonly ConcurrentDictionary<(string RanOn, string Reason), long> _requests = new();
    private long _redacted, _keptPrivate, _cloudPromptTokens, _cloudCompletionTokens;

    public void Record(CollaborationDecision decision)
    {
        _requests.AddOrUpdate((decision.AnsweredBy, decision.Cause), 1, (_, n) => n + 1);
        Interlocked.Add(ref _redacted, decision.RedactedItems);
        if (decision.SensitiveItems > 0 && decision.CloudLatency is null) // the cloud was never contacted
            Interlocked.Increment(ref _keptPrivate);
        Interlocked.Add(ref _cloudPromptTokens, decision.CloudInputTokens ?? 0);
        Interlocked.Add(ref _cloudCompletionTokens, decision.CloudOutputTokens ?? 0);
    }

    /// <summary>How many chat completions ran on <paramref name="ranOn"/> for <paramref name="reason"/> (tests, dashboards).</summary>
    public long Count(string ranOn, string reason) => _requests.GetValueOrDefault((ranOn, reason));

    public string Render()
    {
        var text = new StringBuilder();
        Line(text, "# HELP wallfacer_collaboration_requests_total Chat completions by where they were answered and why.");
        Line(text, "# TYPE wallfacer_collaboration_requests_total counter");
        foreach (var ((ranOn, reason), count) in _requests.OrderBy(kv => kv.Key.RanOn).ThenBy(kv => kv.Key.Reason))
            Line(text, $"wallfacer_collaboration_requests_total{{ran_on=\"{ranOn}\",reason=\"{reason}\"}} {count}");
        Counter(text, "wallfacer_collaboration_redacted_items_total", "Sensitive items replaced by placeholders before a request left the device.", Interlocked.Read(ref _redacted));
        Counter(text, "wallfacer_collaboration_private_local_total", "Requests with sensitive data answered on the device without reaching the cloud.", Interlocked.Read(ref _keptPrivate));
        Line(text, "# HELP wallfacer_collaboration_cloud_tokens_total Tokens the cloud model read and wrote.");
        Line(text, "# TYPE wallfacer_collaboration_cloud_tokens_total counter");
        Line(text, $"wallfacer_collaboration_cloud_tokens_total{{kind=\"prompt\"}} {Interlocked.Read(ref _cloudPromptTokens)}");
        Line(text, $"wallfacer_collaboration_cloud_tokens_total{{kind=\"completion\"}} {Interlocked.Read(ref _cloudCompletionTokens)}");
        return text.ToString();
    }

    private static void Counter(StringBuilder text, string name, string help, long value)
    {
        Line(text, $"# HELP {name} {help}");
        Line(text, $"# TYPE {name} counter");
        Line(text, $"{name} {value.ToString(CultureInfo.InvariantCulture)}");
    }

    private static void Line(StringBuilder text, string line) => text.Append(line).Append('\n');
}
