namespace Wallfacer.Extensions.AI.Remote;

/// <summary>Where the remote (cloud) model is and how patiently to talk to it.</summary>
public sealed class RemoteChatClientOptions
{
    /// <summary>Base URL of an OpenAI-compatible API, e.g. <c>https://api.openai.com/v1</c> or <c>http://gpu-box:8000/v1</c>.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The model name to request.</summary>
    public string Model { get; set; } = "default";

    /// <summary>API key; many local servers accept anything. Prefer <see cref="ApiKeyEnvironmentVariable"/> over a literal.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Name of an environment variable holding the API key (read when the client is created).</summary>
    public string? ApiKeyEnvironmentVariable { get; set; }

    /// <summary>Time allowed for one HTTP exchange (for streaming: until the first bytes).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries of a failed request (429, 5xx, network errors), with exponential backoff.</summary>
    public int MaxRetries { get; set; } = 2;

    internal string ResolveApiKey()
    {
        if (ApiKeyEnvironmentVariable is { Length: > 0 } name)
            return Environment.GetEnvironmentVariable(name) is { Length: > 0 } fromEnvironment
                ? fromEnvironment
                : throw new InvalidOperationException($"The environment variable {name} (the remote API key) is not set.");
        return ApiKey is { Length: > 0 } key ? key : "none"; // the SDK requires a credential; local servers ignore it
    }
}
