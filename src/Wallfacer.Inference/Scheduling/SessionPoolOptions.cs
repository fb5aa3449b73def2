using Wallfacer.Inference.Engine;

namespace Wallfacer.Inference.Scheduling;

/// <summary>How many sessions a <see cref="SessionPool"/> keeps and runs at once.</summary>
public sealed record SessionPoolOptions
{
    /// <summary>Options of every session the pool creates (context length, threads, batch size).</summary>
    public SessionOptions Session { get; init; } = new();

    /// <summary>
    /// Sessions kept alive, each with its KV cache: more of them let more conversations resume from their
    /// cached prefix. Each costs one KV cache of memory (see <see cref="Wallfacer.Models.Cache.KvCache.SizeInBytes"/>).
    /// </summary>
    public int MaxSessions { get; init; } = 4;

    /// <summary>
    /// Generations running at the same time; the rest wait their turn in order. On a small CPU one
    /// generation already uses every core, so the default is 1; raise it (with fewer threads per session)
    /// to serve several users at once.
    /// </summary>
    public int MaxParallel { get; init; } = 1;

    internal void Validate()
    {
        if (MaxSessions < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxSessions), MaxSessions, "The pool needs at least one session.");
        if (MaxParallel < 1 || MaxParallel > MaxSessions)
            throw new ArgumentOutOfRangeException(nameof(MaxParallel), MaxParallel, $"MaxParallel must be within 1..MaxSessions ({MaxSessions}).");
    }
}
