namespace Wallfacer.Hub;

/// <summary>
/// Where the hub is, who we are to it, and where its cache lives. <see cref="HubEnvironment.Read"/> fills
/// these from <c>HF_ENDPOINT</c>, <c>HF_TOKEN</c>, <c>HF_HOME</c> and <c>HF_HUB_CACHE</c> as huggingface_hub
/// does; tests build them directly so they never touch the process environment.
/// </summary>
public sealed record HubOptions
{
    /// <summary>The hub's address as huggingface_hub's default <c>HF_ENDPOINT</c>.</summary>
    public static readonly Uri DefaultEndpoint = new("https://huggingface.co");

    /// <summary>The hub, or a mirror of it; requests go to <c>{Endpoint}/api/models/…</c> and <c>{Endpoint}/{repo}/resolve/…</c>.</summary>
    public Uri Endpoint { get; init; } = DefaultEndpoint;

    /// <summary>A user access token sent as <c>Authorization: Bearer</c>, to the endpoint's host only; null for anonymous access.</summary>
    public string? Token { get; init; }

    /// <summary>The hub cache root, which holds one <c>models--{owner}--{name}</c> folder per repository.</summary>
    public required string CacheDirectory { get; init; }

    /// <summary>
    /// Upper bound on a repository-info JSON reply. Real ones are a few KB to a few hundred KB (one entry per
    /// file); the bound keeps a broken or hostile server from filling memory.
    /// </summary>
    public long MaxMetadataBytes { get; init; } = 16L << 20;

    /// <summary>How long a download may go without receiving a byte before it is called stalled.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long to wait for a connection to the hub or its CDN.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
