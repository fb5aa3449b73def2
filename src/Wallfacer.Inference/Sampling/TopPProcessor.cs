namespace Wallfacer.Inference.Sampling;

/// <summary>
/// Nucleus sampling: keeps the smallest set of best-ranked candidates whose probabilities (softmax
/// over the current candidates) sum to at least <see cref="P"/>; the candidate that crosses the
/// threshold is kept (src/llama-sampler.cpp, <c>llama_sampler_top_p_apply</c>, with min_keep = 0).
/// </summary>
/// <remarks>
/// Like llama.cpp, it does not sort the whole vocabulary when top-k is off: it selects and sorts the
/// best 256 candidates, and only if their mass falls short grows the sorted prefix fourfold, and so on.
/// Probabilities are summed in double; the total is accumulated in the buffer's current order, the
/// running sum in rank order.
/// </remarks>
public sealed class TopPProcessor : ILogitsProcessor
{
    private const int InitialWindow = 256;

    /// <summary>Creates the processor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is not in (0, 1].</exception>
    public TopPProcessor(float p)
    {
        if (!(p > 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "Top-p must be in (0, 1].");
        P = p;
    }

    /// <summary>The probability mass to keep.</summary>
    public float P { get; }

    /// <inheritdoc />
    public void Process(CandidateBuffer candidates, TokenHistory history)
    {
        if (P >= 1f || candidates.Count <= 1) return;

        double max = candidates.MaxLogit();
        if (double.IsNegativeInfinity(max)) return; // all masked: leave it to the selector to report
        double target = P * SoftmaxSums.SumExp(candidates.Candidates, max);

        double cumulative = 0;
        int next = 0;
        for (int window = Math.Min(InitialWindow, candidates.Count); ; window = Math.Min(window * 4, candidates.Count))
        {
            candidates.SortTop(window);
            ReadOnlySpan<TokenCandidate> ranked = candidates.Candidates;
            for (; next < window; next++)
            {
                cumulative += PortableMath.Exp(ranked[next].Logit - max);
                if (cumulative >= target)
                {
                    candidates.Truncate(next + 1);
                    return;
                }
            }

            if (window == candidates.Count) return; // rounding kept the sum just short of P·total: keep all
        }
    }
}
