namespace Wallfacer.Server;

/// <summary>How <c>wallfacer serve</c> runs: the model, the address, the slots, and the limits.</summary>
public sealed record ServerOptions
{
    /// <summary>The GGUF file, fixed at start: requests can never name a path.</summary>
    public required string ModelPath { get; init; }

    /// <summary>The id clients use in <c>model</c>; default: the file name without extension.</summary>
    public string? ModelId { get; init; }

    /// <summary>Loopback by default: exposing the server is a deliberate choice.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>0 picks a free port (tests).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>Requests generating at once; their decode steps share one forward pass.</summary>
    public int Parallel { get; init; } = 4;

    /// <summary>Requests waiting beyond the slots before 429.</summary>
    public int MaxQueue { get; init; } = 64;

    /// <summary>Context per slot (0: the model's, capped at 4096).</summary>
    public int ContextLength { get; init; }

    /// <summary>Threads for the forward pass (0: one per processor).</summary>
    public int Threads { get; init; }

    /// <summary>Accepted API keys; empty means no authentication.</summary>
    public IReadOnlyList<string> ApiKeys { get; init; } = [];

    /// <summary>Largest request body accepted (413 beyond).</summary>
    public long MaxBodyBytes { get; init; } = 4 << 20;

    /// <summary>The most tokens a request may ask to generate (larger values are capped).</summary>
    public int MaxTokensCap { get; init; } = 4096;

    /// <summary>
    /// Origins whose browser pages may call the API (CORS); "*" allows any. Empty (the default): no CORS headers, so
    /// browsers refuse cross-origin calls — the web chat page at / is same-origin and needs none.
    /// </summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];

    /// <summary>When set, chat completions collaborate with this cloud model (see docs/server.md); null: local only.</summary>
    public Collaboration.CloudOptions? Cloud { get; init; }
}
