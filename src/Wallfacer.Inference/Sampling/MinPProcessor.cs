namespace Wallfacer.Inference.Sampling;

/// <summary>
/// Keeps the candidates whose probability is at least <see cref="P"/> times the top candidate's
/// (src/llama-sampler.cpp, <c>llama_sampler_min_p_apply</c>). Done on logits, without a softmax or a
/// sort: <c>p_i ≥ P · p_max  ⇔  logit_i ≥ logit_max + ln P</c>. Order is preserved.
/// </summary>
public sealed class MinPProcessor : ILogitsProcessor
{
    private readonly double _logP;

    /// <summary>Creates the processor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is not in (0, 1].</exception>
    public MinPProcessor(float p)
    {
        if (!(p > 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "Min-p must be in (0, 1].");
        P = p;
        _logP = PortableMath.Log(p);
    }

    /// <summary>The fraction of the top probability a candidate needs to survive.</summary>
    public float P { get; }

    /// <inheritdoc />
    public void Process(CandidateBuffer candidates, TokenHistory history)
    {
        if (candidates.Count == 0) return;
        candidates.RemoveBelow(candidates.MaxLogit() + _logP);
    }
}
