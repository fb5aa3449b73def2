namespace Wallfacer.Extensions.AI.Collaboration;

/// <summary>
/// Why a request was answered where it was, as a short code from a fixed set (fit for a metric label, unlike
/// the free-text <see cref="CollaborationDecision.Reasons"/>). The code names the last step that decided.
/// </summary>
public static class CollaborationCause
{
    /// <summary>The local answer was at least as sure as the policy asks: kept.</summary>
    public const string Confident = "confident";

    /// <summary>The cascade is off: the local answer stands whatever its confidence.</summary>
    public const string CascadeOff = "cascade_off";

    /// <summary>The local answer was too unsure: the cloud answered.</summary>
    public const string LowConfidence = "low_confidence";

    /// <summary>The request held sensitive data and the policy keeps such requests on the device.</summary>
    public const string PrivateKeptLocal = "private_kept_local";

    /// <summary>The caller declared the request hard: straight to the cloud.</summary>
    public const string DeclaredHard = "declared_hard";

    /// <summary>The trained router expected the local answer to fail: straight to the cloud.</summary>
    public const string Router = "router";

    /// <summary>The local answer was confident but the local model, asked, judged it wrong: the cloud answered.</summary>
    public const string SelfCheckFailed = "self_check";

    /// <summary>The request offered tools and the policy sends those to the cloud.</summary>
    public const string Tools = "tools";

    /// <summary>The prompt was longer than the policy lets the local model take.</summary>
    public const string LongPrompt = "long_prompt";

    /// <summary>The local model could not take the request (context or queue full): the cloud answered.</summary>
    public const string LocalUnavailable = "local_unavailable";

    /// <summary>The cloud failed (error status, broken stream, unreachable): the local model answered.</summary>
    public const string CloudFailed = "cloud_failed";

    /// <summary>The cloud did not answer within its time budget: the local model answered.</summary>
    public const string CloudTimeout = "cloud_timeout";
}
