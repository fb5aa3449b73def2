namespace Wallfacer.Inference.Engine;

/// <summary>The whole outcome of one generation, with timings.</summary>
public sealed class GenerationResult
{
    public required IReadOnlyList<int> PromptTokens { get; init; }

    /// <summary>Prompt tokens reused from the session's cache rather than evaluated (see <see cref="GenerationOptions.ReuseCachedPrefix"/>).</summary>
    public int CachedPromptTokens { get; init; }
    public required IReadOnlyList<TokenStep> Steps { get; init; }
    public required string Text { get; init; }
    public required FinishReason FinishReason { get; init; }
    public required TimeSpan PromptTime { get; init; }
    public required TimeSpan GenerationTime { get; init; }
    public required ulong Seed { get; init; }

    public IEnumerable<int> GeneratedTokens => Steps.Select(s => s.Token);

    /// <summary>Prompt tokens per second (evaluated prompt tokens over the time to the first logits).</summary>
    public double PromptTokensPerSecond => PromptTime > TimeSpan.Zero ? (PromptTokens.Count - CachedPromptTokens) / PromptTime.TotalSeconds : 0;

    /// <summary>Generated tokens per second, measured after the prompt.</summary>
    public double GenerationTokensPerSecond =>
        GenerationTime > TimeSpan.Zero ? Math.Max(0, Steps.Count - 1) / GenerationTime.TotalSeconds : 0;
}
