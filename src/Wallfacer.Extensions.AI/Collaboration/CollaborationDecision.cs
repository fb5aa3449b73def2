namespace Wallfacer.Extensions.AI.Collaboration;

/// <summary>
/// Where a request was answered and why, recorded on every response
/// (<c>AdditionalProperties["wallfacer.collaboration"]</c>) and logged. Never holds the sensitive values.
/// </summary>
public sealed class CollaborationDecision
{
    /// <summary>"local" or "cloud": who produced the answer returned.</summary>
    public string AnsweredBy { get; set; } = "local";

    /// <summary>The steps taken, in order, e.g. "sensitive data: 2 items redacted", "low confidence (−1.7 &lt; −1.0)".</summary>
    public List<string> Reasons { get; } = [];

    /// <summary>The deciding step as a code from <see cref="CollaborationCause"/> (bounded: usable as a metric label).</summary>
    public string Cause { get; set; } = CollaborationCause.Confident;

    /// <summary>Mean token log-probability of the local answer, when there was one.</summary>
    public double? LocalMeanLogprob { get; set; }

    /// <summary>The local answer's whole confidence (mean and minimum log-probability, entropy), when there was one.</summary>
    public Wallfacer.Inference.Engine.GenerationConfidence? LocalConfidence { get; set; }

    /// <summary>Sensitive items the detector found in the request (whatever the policy then did with them).</summary>
    public int SensitiveItems { get; set; }

    public long? LocalOutputTokens { get; set; }
    public long? CloudInputTokens { get; set; }
    public long? CloudOutputTokens { get; set; }
    public TimeSpan? LocalLatency { get; set; }
    public TimeSpan? CloudLatency { get; set; }

    /// <summary>Sensitive items replaced before the request left the device.</summary>
    public int RedactedItems { get; set; }

    public override string ToString() => $"{AnsweredBy}: {string.Join("; ", Reasons)}";
}
