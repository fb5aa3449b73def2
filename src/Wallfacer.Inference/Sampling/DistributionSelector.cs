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
    private double[] _runningTotals = []; // (chunks of the vocabulary) sums at chunk ends, so the draw re-reads one chunk

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

        Span<double> runningTotals = RunningTotals(items.Length);
        double threshold = u * SoftmaxSums.SumExp(items, max, runningTotals);
        return items[SoftmaxSums.FindCumulative(items, max, threshold, runningTotals)].Token;
    }

    /// <summary>
    /// <see cref="Select"/> for a buffer that would hold exactly these logits in vocabulary order (nothing edited or
    /// removed), without copying them: the same draw, the same sums, the same token. Also returns the raw logits'
    /// statistics, whose normalizer is this draw's total (the entropy sum rides along in the same pass).
    /// </summary>
    /// <param name="logits">Checked logits (no NaN or +∞).</param>
    /// <param name="max">Their maximum as <see cref="CandidateBuffer.MaxLogit"/> finds it.</param>
    /// <param name="wantStatistics">False to skip the entropy sum (<paramref name="statistics"/> is then default).</param>
    internal int SelectFromLogits(ReadOnlySpan<float> logits, float max, bool wantStatistics, out LogitStatistics statistics)
    {
        if (logits.Length == 0) throw new InvalidOperationException("No candidate tokens are left to select from.");
        double u = _random.NextDouble();
        if (float.IsNegativeInfinity(max))
        {
            throw new InvalidOperationException("Every candidate token has logit -infinity (all masked); none can be selected.");
        }

        Span<double> runningTotals = RunningTotals(logits.Length);
        double total;
        if (wantStatistics)
        {
            (total, double weighted) = SoftmaxSums.SumExpAndWeighted(logits, max, runningTotals);
            statistics = new LogitStatistics(max, total, weighted);
        }
        else
        {
            total = SoftmaxSums.SumExp(logits, max, runningTotals);
            statistics = default;
        }

        return SoftmaxSums.FindCumulative(logits, max, u * total, runningTotals);
    }

    /// <summary>Scratch for the sum pass's running totals, grown once to the vocabulary's size (then never allocated again).</summary>
    private Span<double> RunningTotals(int count)
    {
        int chunks = SoftmaxSums.ChunkCount(count);
        if (_runningTotals.Length < chunks) _runningTotals = new double[chunks];
        return _runningTotals.AsSpan(0, chunks);
    }

    /// <summary>
    /// The scalar form of <see cref="Select"/>, kept as the reference the chunked vector passes are tested against.
    /// </summary>
    internal static int SelectReference(ReadOnlySpan<TokenCandidate> items, double max, double u)
    {
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
