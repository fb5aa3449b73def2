namespace Wallfacer.Bench;

/// <summary>Timing of one phase: tokens evaluated, our wall clock, and the engine's own timer when it has one.</summary>
internal sealed record PhaseTiming(int Tokens, double WallMilliseconds, double? EngineMilliseconds)
{
    public double TokensPerSecond => Tokens / (WallMilliseconds / 1000.0);
}

/// <summary>
/// What one child process measured for one engine; printed as one JSON line on stdout and read back by the parent.
/// </summary>
internal sealed record ChildResult
{
    public required string Engine { get; init; }
    public required int Threads { get; init; }

    /// <summary>From before the model is opened until the first prompt's greedy token is known.</summary>
    public required double LoadToFirstTokenMilliseconds { get; init; }

    /// <summary>One entry per prompt length, in the order asked.</summary>
    public required PhaseTiming[] Prompts { get; init; }

    /// <summary>Greedy tokens one at a time after the first prompt.</summary>
    public required PhaseTiming Generation { get; init; }

    public long? PeakResidentBytes { get; init; }

    /// <summary>GC bytes allocated by all threads during generation, per generated token.</summary>
    public required double AllocatedBytesPerToken { get; init; }

    /// <summary>The same, counting only the thread that drives generation.</summary>
    public required double AllocatedBytesPerTokenThisThread { get; init; }

    /// <summary>llama.cpp only: the libggml-cpu variant it picked, and its system-info line.</summary>
    public string? NativeBackend { get; init; }
}
