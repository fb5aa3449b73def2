using Wallfacer.Inference.Engine;

namespace Wallfacer.Inference.Scheduling;

/// <summary>Shape of a <see cref="BatchScheduler"/>: slots, their sessions, and the wait queue.</summary>
public sealed record BatchSchedulerOptions
{
    /// <summary>Requests generating at once (llama-server's <c>--parallel</c>); their decode steps share one forward pass.</summary>
    public int Slots { get; init; } = 4;

    /// <summary>Each slot's session: context length, threads, prompt batch size.</summary>
    public SessionOptions Session { get; init; } = new();

    /// <summary>Requests allowed to wait for a slot; beyond that <see cref="BatchScheduler.Submit"/> throws <see cref="QueueFullException"/>.</summary>
    public int MaxQueue { get; init; } = 64;

    /// <summary>
    /// Longest prompt remainder that is evaluated by riding the running requests' decode steps (more rows of a pass
    /// that reads the weights anyway) instead of in passes of its own, which stall the running requests and, for short
    /// prompts, cost more per token. 0: prompts always take their own passes.
    /// </summary>
    public int PromptRideLength { get; init; } = 32;

    /// <summary>
    /// Most prompt tokens that ride one decode step, over all riding requests (each request's take consecutive rows).
    /// 1 gives each riding prompt one token per step.
    /// </summary>
    public int PromptRideTokensPerStep { get; init; } = 16;

    internal void Validate()
    {
        if (Slots is < 1 or > 256)
            throw new ArgumentOutOfRangeException(nameof(Slots), Slots, "Slots must be within 1..256.");
        if (PromptRideTokensPerStep is < 1 or > 4096)
            throw new ArgumentOutOfRangeException(nameof(PromptRideTokensPerStep), PromptRideTokensPerStep, "PromptRideTokensPerStep must be within 1..4096.");
        if (PromptRideLength < 0)
            throw new ArgumentOutOfRangeException(nameof(PromptRideLength), PromptRideLength, "PromptRideLength must not be negative.");
        if (MaxQueue < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxQueue), MaxQueue, "MaxQueue must not be negative.");
    }
}

/// <summary>The wait queue is full; the caller should retry later (HTTP 429).</summary>
public sealed class QueueFullException(int capacity)
    : InvalidOperationException($"All slots are busy and {capacity} requests are already waiting; retry later.")
{
    public int Capacity { get; } = capacity;
}
