using Wallfacer.Extensions.AI.Collaboration.Privacy;

namespace Wallfacer.Extensions.AI.Collaboration;

/// <summary>What to do with a request that contains sensitive data.</summary>
public enum PrivacyMode
{
    /// <summary>Never send it to the cloud: it is answered on the device, whatever the confidence.</summary>
    KeepLocal,
    /// <summary>It may go to the cloud with every sensitive item replaced by a placeholder, restored in the answer.</summary>
    Redact,
    /// <summary>No detection (the cloud is trusted with everything).</summary>
    Off,
}

/// <summary>
/// The policies of a <see cref="CollaborativeChatClient"/>; bindable from configuration. Defaults: redact
/// private data before it leaves, answer locally first, escalate when the local answer's mean token
/// log-probability is below −1.0 (geometric-mean token probability under ~37%), fail over both ways.
/// </summary>
public sealed class CollaborationOptions
{
    public PrivacyMode Privacy { get; set; } = PrivacyMode.Redact;

    /// <summary>Extra patterns and terms that count as sensitive.</summary>
    public PrivacyRules Rules { get; set; } = new();

    /// <summary>Answer locally first and escalate on low confidence (false: route only, no cascade).</summary>
    public bool Cascade { get; set; } = true;

    /// <summary>Escalate when the local answer's mean token log-probability is below this.</summary>
    public double MinMeanLogprob { get; set; } = -1.0;

    /// <summary>Escalate when any single token's log-probability is below this (null: not used).</summary>
    public double? MinTokenLogprob { get; set; }

    /// <summary>Escalate when the mean entropy (nats) of the local distributions is above this (null: not used).</summary>
    public double? MaxMeanEntropy { get; set; }

    /// <summary>Send requests that offer tools straight to the cloud (small models are weaker at tool use).</summary>
    public bool RouteToolRequestsToCloud { get; set; }

    /// <summary>Send prompts longer than this many characters straight to the cloud (0: no limit).</summary>
    public int MaxLocalPromptCharacters { get; set; }

    /// <summary>The cloud's time budget for a whole answer; beyond it the local answer is used.</summary>
    public TimeSpan CloudTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// After a confident local answer, ask the local model whether that answer is correct (a forced yes/no) and
    /// escalate when it says no — one more short local generation per request.
    /// </summary>
    public bool SelfCheck { get; set; }

    /// <summary>The self-check question (the reply is forced into <c>{"correct": true|false}</c>).</summary>
    public string SelfCheckQuestion { get; set; } =
        "Check your answer above. Is it correct and complete? Reply with JSON: {\"correct\": true} or {\"correct\": false}.";

    /// <summary>A trained router (see <c>collab-eval --train-router</c>): requests it predicts the local model fails go straight to the cloud.</summary>
    public TrainedRouter? Router { get; set; }

    /// <summary>A router file to load when <see cref="Router"/> is not set (for configuration binding).</summary>
    public string? RouterPath { get; set; }
}
