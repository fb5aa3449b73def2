namespace Wallfacer.Inference.Sampling;

/// <summary>
/// Draws a token from the softmax of the candidates' logits (src/llama-sampler.cpp,
/// <c>llama_sampler_dist_apply</c>): one uniform draw u in [0, 1) per call — even when one candidate
/// is left, so the random stream advances one step per token — then the first candidate, in the
/// buffer's order, whose running weight exceeds u · Σweights. Weights are e^(logit − max) in double
/// via <see cref="PortableMath"/>, summed in a fixed order, so a seed gives the same token everywhere.
/// </summary>
public sealed class DistributionSelector : ITokenSelector
{
    private readonly Xoshiro256StarStar _random;

    /// <summary>Creates the selector with its own random stream.</summary>
    public DistributionSelector(ulong seed) => _random = new Xoshiro256StarStar(seed);

    /// <summary>Restarts the random stream as if newly created with <paramref name="seed"/>.</summary>
    public void Reseed(ulong seed) => _random.Reseed(seed);

    /// <inheritdoc />
    public int Select(CandidateBuffer candidates)
    {
        ReadOnlySpan<TokenCandidate> items = candidates.Candidates;
        if (items.Length == 0) throw new InvalidOperationException("No candidate tokens are left to select from.");
        double u = _random.NextDouble();

        double max = candidates.MaxLogit();
        if (double.IsNegativeInfinity(max))
        {
            throw new InvalidOperationException("Every candidate token has logit -infinity (all masked); none can be selected.");
        }

        double total = 0;
        foreach (ref readonly TokenCandidate c in items) total += PortableMath.Exp(c.Logit - max);

        double threshold = u * total;
        double cumulative = 0;
        int lastPositive = 0;
        for (int i = 0; i < items.Length; i++)
        {
            double weight = PortableMath.Exp(items[i].Logit - max);
            if (weight <= 0) continue; // a zero-probability token is never chosen
            cumulative += weight;
            lastPositive = i;
            if (cumulative > threshold) return items[i].Token;
        }

        // Only reachable if rounding kept the running sum at or below u·total: take the last possible token.
        return items[lastPositive].Token;
    }
}
