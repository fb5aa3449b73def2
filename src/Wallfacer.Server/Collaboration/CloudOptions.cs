using Wallfacer.Extensions.AI.Collaboration;

namespace Wallfacer.Server.Collaboration;

/// <summary>
/// <c>wallfacer serve --cloud URL</c>: the OpenAI-compatible endpoint of the larger model the server collaborates
/// with, and the policies that decide, per chat completion, whether the local model's answer stands.
/// </summary>
public sealed record CloudOptions
{
    /// <summary>Base URL of the cloud's API, e.g. <c>http://gpu-box:8000/v1</c>.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>The model name sent to the cloud.</summary>
    public string Model { get; init; } = "default";

    /// <summary>
    /// Name of the environment variable holding the cloud's API key (read once at start). Never the key itself:
    /// a key on a command line is visible to every user of the machine through the process list.
    /// </summary>
    public string? ApiKeyEnvironmentVariable { get; init; }

    /// <summary>Privacy, cascade, routing and timeouts (see <see cref="CollaborationPolicy"/> for the file that sets them).</summary>
    public CollaborationPolicy Policy { get; init; } = new();
}

/// <summary>The collaboration policies plus how patiently to talk to the cloud; read from a policy file by <see cref="CollaborationPolicyFile"/>.</summary>
public sealed record CollaborationPolicy
{
    /// <summary>Privacy mode and rules, cascade thresholds, routing, and the cloud's time budget per answer.</summary>
    public CollaborationOptions Options { get; init; } = new();

    /// <summary>Retries of a cloud request that failed with 429, 5xx or a network error (exponential backoff).</summary>
    public int MaxRetries { get; init; } = 1;
}
