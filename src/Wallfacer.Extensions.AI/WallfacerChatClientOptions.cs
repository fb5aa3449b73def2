namespace Wallfacer.Extensions.AI;

/// <summary>
/// Settings of a <see cref="WallfacerChatClient"/> (and of the model it loads when registered through
/// <see cref="WallfacerServiceCollectionExtensions"/>); bindable from configuration, e.g. a "Wallfacer" section.
/// </summary>
public sealed class WallfacerChatClientOptions
{
    /// <summary>Path of the GGUF file (used when the client loads the model itself).</summary>
    public string? ModelPath { get; set; }

    /// <summary>The model id reported in responses and metadata; default: the file's <c>general.name</c>, else its file name.</summary>
    public string? ModelId { get; set; }

    /// <summary>Context length of each session in tokens; 0 = the model's trained context, capped at 4096.</summary>
    public int ContextLength { get; set; }

    /// <summary>Threads per generation; 0 = one per processor.</summary>
    public int Threads { get; set; }

    /// <summary>Prompt tokens per forward call.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Sessions (KV caches) kept for reuse across conversations; each costs one KV cache of memory.</summary>
    public int MaxSessions { get; set; } = 4;

    /// <summary>Generations running at once; further requests wait in order.</summary>
    public int MaxParallel { get; set; } = 1;

    /// <summary>A Jinja chat template that replaces the file's own.</summary>
    public string? ChatTemplate { get; set; }

    /// <summary>Output tokens when the request does not say; 0 = until end of generation or a full context.</summary>
    public int DefaultMaxOutputTokens { get; set; }

    /// <summary>Conversations remembered for <c>ChatOptions.ConversationId</c> (least recently used are forgotten).</summary>
    public int MaxStoredConversations { get; set; } = 256;
}
