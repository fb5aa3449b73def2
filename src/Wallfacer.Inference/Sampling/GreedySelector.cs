namespace Wallfacer.Inference.Sampling;

/// <summary>
/// Picks the highest-logit candidate, the lowest token id among equals. What llama.cpp does for
/// temperature ≤ 0 (src/llama-sampler.cpp, <c>llama_sampler_temp_impl</c> masks all but the maximum),
/// except that its tie-break depends on the candidates' order and ours is fixed. Draws no random numbers.
/// </summary>
public sealed class GreedySelector : ITokenSelector
{
    /// <inheritdoc />
    public int Select(CandidateBuffer candidates)
    {
        ReadOnlySpan<TokenCandidate> items = candidates.Candidates;
        if (items.Length == 0) throw new InvalidOperationException("No candidate tokens are left to select from.");
        if (candidates.SortedCount > 0) return items[0].Token;

        int best = 0;
        for (int i = 1; i < items.Length; i++)
        {
            if (TokenCandidate.RanksBefore(items[i], items[best])) best = i;
        }

        if (float.IsNegativeInfinity(items[best].Logit))
        {
            throw new InvalidOperationException("Every candidate token has logit -infinity (all masked); none can be selected.");
        }

        return items[best].Token;
    }

    /// <summary>
    /// <see cref="Select"/> for a buffer that would hold exactly these logits in vocabulary order: the first index
    /// holding the maximum (the lowest id among equals), without copying the logits.
    /// </summary>
    /// <param name="logits">Checked logits (no NaN or +∞).</param>
    /// <param name="max">Their maximum.</param>
    internal static int SelectFromLogits(ReadOnlySpan<float> logits, float max)
    {
        if (logits.Length == 0) throw new InvalidOperationException("No candidate tokens are left to select from.");
        if (float.IsNegativeInfinity(max))
        {
            throw new InvalidOperationException("Every candidate token has logit -infinity (all masked); none can be selected.");
        }

        return SoftmaxSums.IndexOfFirst(logits, max);
    }
}
