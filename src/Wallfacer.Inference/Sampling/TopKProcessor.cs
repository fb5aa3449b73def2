namespace Wallfacer.Inference.Sampling;

/// <summary>
/// Keeps the <see cref="K"/> highest-logit candidates, in rank order (ties: lower token id first)
/// (src/llama-sampler.cpp, <c>llama_sampler_top_k_impl</c>). A partial selection, O(V + k log k).
/// </summary>
public sealed class TopKProcessor : ILogitsProcessor
{
    /// <summary>Creates the processor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not positive (disable the stage instead).</exception>
    public TopKProcessor(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        K = k;
    }

    /// <summary>How many candidates survive.</summary>
    public int K { get; }

    /// <inheritdoc />
    public void Process(CandidateBuffer candidates, TokenHistory history)
    {
        candidates.SortTop(K);
        candidates.Truncate(K);
    }
}
