using Wallfacer.Numerics.Threading;

namespace Wallfacer.Inference.Engine;

/// <summary>Knobs of one <see cref="InferenceSession"/>.</summary>
public sealed record SessionOptions
{
    /// <summary>Positions the KV cache holds; 0 means the model's trained context, capped at <see cref="DefaultContextCap"/>.</summary>
    public int ContextLength { get; init; }

    /// <summary>Threads for the forward pass, the caller included; 0 means one per processor.</summary>
    public int Threads { get; init; }

    /// <summary>Most prompt tokens processed in one forward call (the "micro-batch").</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>The default context is capped here so a 128k-context model does not reserve gigabytes of cache by surprise.</summary>
    public const int DefaultContextCap = 4096;

    internal int ResolveContext(int trained) =>
        ContextLength > 0 ? ContextLength : Math.Min(trained, DefaultContextCap);

    internal int ResolveThreads() => Threads > 0 ? Threads : WorkerPool.DefaultThreadCount;

    internal void Validate()
    {
        if (ContextLength < 0)
            throw new ArgumentOutOfRangeException(nameof(ContextLength), ContextLength, "Context length must be 0 (default) or positive.");
        if (Threads < 0)
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must be 0 (default) or positive.");
        if (BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "Batch size must be positive.");
    }
}
