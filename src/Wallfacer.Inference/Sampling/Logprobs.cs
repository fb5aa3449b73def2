namespace Wallfacer.Inference.Sampling;

/// <summary>
/// Log-probabilities of raw logits — what OpenAI-style <c>logprobs</c> / <c>top_logprobs</c> report,
/// independent of the sampler's processing. Stable: the maximum is subtracted before exponentiating
/// and the normalizer is summed in double, in index order. Allocation-free.
/// </summary>
public static class Logprobs
{
    /// <summary>log softmax(logits)[token] = (logit[token] − max) − log Σ e^(logit − max).</summary>
    /// <exception cref="ArgumentException">The logits are empty or contain NaN or +∞.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="token"/> is not an index of <paramref name="logits"/>.</exception>
    public static float LogSoftmaxAt(ReadOnlySpan<float> logits, int token)
    {
        if ((uint)token >= (uint)logits.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(token), token, $"Token must be in [0, {logits.Length}).");
        }

        (double max, double logTotal) = Normalizer(logits);
        return (float)(logits[token] - max - logTotal);
    }

    /// <summary>
    /// The log-probability of <paramref name="token"/> and the entropy (nats) of the whole distribution, in one
    /// pass: H = log Z − Σ e^(l−max)·(l−max) / Z. Entropy measures how unsure the model was at this step.
    /// </summary>
    public static float LogSoftmaxAndEntropy(ReadOnlySpan<float> logits, int token, out double entropy)
    {
        if ((uint)token >= (uint)logits.Length)
            throw new ArgumentOutOfRangeException(nameof(token), token, $"Token must be in [0, {logits.Length}).");
        LogitStatistics statistics = Statistics(logits);
        entropy = statistics.Entropy;
        return statistics.LogSoftmaxAt(logits, token);
    }

    /// <summary>
    /// The maximum, log normalizer and entropy of softmax(logits) in one exponent pass (one pass serves both the
    /// normalizer and the entropy), from which <see cref="LogitStatistics.LogSoftmaxAt"/> gives any token's log-probability.
    /// </summary>
    /// <exception cref="ArgumentException">The logits are empty or contain NaN or +∞, or all are −∞.</exception>
    public static LogitStatistics Statistics(ReadOnlySpan<float> logits)
    {
        double max = CheckedMax(logits);
        (double total, double weighted) = SoftmaxSums.SumExpAndWeighted(logits, max);
        return new LogitStatistics(max, total, weighted);
    }

    /// <summary>
    /// The scalar form of <see cref="Statistics"/>, kept as the reference the vector passes are tested against:
    /// −∞ logits are skipped, every other adds e^(l − max) and e^(l − max)·(l − max) in index order.
    /// </summary>
    internal static LogitStatistics StatisticsReference(ReadOnlySpan<float> logits)
    {
        double max = CheckedMaxReference(logits);
        double total = 0, weighted = 0;
        foreach (float logit in logits)
        {
            if (float.IsNegativeInfinity(logit))
                continue;
            double shifted = logit - max, e = PortableMath.Exp(shifted);
            total += e;
            weighted += e * shifted;
        }
        return new LogitStatistics(max, total, weighted);
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with the <c>destination.Length</c> most likely tokens,
    /// most likely first (ties: lower token id first), with their log-probabilities.
    /// O(V log k) with a heap kept in <paramref name="destination"/> itself.
    /// </summary>
    /// <exception cref="ArgumentException">The destination is longer than the vocabulary, or the logits are bad.</exception>
    public static void TopK(ReadOnlySpan<float> logits, Span<TokenLogprob> destination)
    {
        if (destination.Length > logits.Length)
        {
            throw new ArgumentException(
                $"Asked for the top {destination.Length} tokens of a vocabulary of {logits.Length}.", nameof(destination));
        }

        if (destination.IsEmpty) return;
        (double max, double logTotal) = Normalizer(logits);

        // A min-heap by rank of the best k seen so far (the root is the worst of them), holding raw logits.
        int k = destination.Length;
        for (int i = 0; i < k; i++) destination[i] = new TokenLogprob(i, logits[i]);
        for (int i = k / 2 - 1; i >= 0; i--) SiftDown(destination, i, k);
        for (int i = k; i < logits.Length; i++)
        {
            var candidate = new TokenLogprob(i, logits[i]);
            if (RanksBefore(candidate, destination[0]))
            {
                destination[0] = candidate;
                SiftDown(destination, 0, k);
            }
        }

        // Heap sort: repeatedly move the worst remaining to the end, leaving best-first order.
        for (int end = k - 1; end > 0; end--)
        {
            (destination[0], destination[end]) = (destination[end], destination[0]);
            SiftDown(destination, 0, end);
        }

        foreach (ref TokenLogprob entry in destination)
        {
            entry = entry with { Logprob = (float)(entry.Logprob - max - logTotal) };
        }
    }

    /// <summary>The maximum logit and log Σ e^(logit − max).</summary>
    private static (double Max, double LogTotal) Normalizer(ReadOnlySpan<float> logits)
    {
        double max = CheckedMax(logits);
        return (max, PortableMath.Log(SoftmaxSums.SumExp(logits, max)));
    }

    /// <summary>The largest logit, after checking that none is NaN or +∞ and not all are −∞.</summary>
    private static float CheckedMax(ReadOnlySpan<float> logits)
    {
        if (logits.IsEmpty) throw new ArgumentException("The logits are empty.", nameof(logits));
        if (!SoftmaxSums.TryMax(logits, out float max)) return CheckedMaxReference(logits); // throws, naming the token
        if (float.IsNegativeInfinity(max))
        {
            throw new ArgumentException("Every logit is -infinity; the distribution is undefined.", nameof(logits));
        }

        return max;
    }

    /// <summary>The scalar <see cref="CheckedMax"/>: the first bad logit is the one reported.</summary>
    private static float CheckedMaxReference(ReadOnlySpan<float> logits)
    {
        if (logits.IsEmpty) throw new ArgumentException("The logits are empty.", nameof(logits));
        float max = float.NegativeInfinity;
        for (int i = 0; i < logits.Length; i++)
        {
            float logit = logits[i];
            if (float.IsNaN(logit) || float.IsPositiveInfinity(logit))
            {
                throw new ArgumentException(
                    $"Logit of token {i} is {logit}; logits must be finite or -infinity.", nameof(logits));
            }

            if (logit > max) max = logit;
        }

        if (float.IsNegativeInfinity(max))
        {
            throw new ArgumentException("Every logit is -infinity; the distribution is undefined.", nameof(logits));
        }

        return max;
    }

    private static bool RanksBefore(TokenLogprob a, TokenLogprob b) =>
        a.Logprob > b.Logprob || (a.Logprob == b.Logprob && a.Token < b.Token);

    /// <summary>Restores the min-heap property (worst-ranked at the root) below <paramref name="index"/> in heap[0..size).</summary>
    private static void SiftDown(Span<TokenLogprob> heap, int index, int size)
    {
        while (true)
        {
            int worst = index, left = 2 * index + 1, right = left + 1;
            if (left < size && RanksBefore(heap[worst], heap[left])) worst = left;
            if (right < size && RanksBefore(heap[worst], heap[right])) worst = right;
            if (worst == index) return;
            (heap[index], heap[worst]) = (heap[worst], heap[index]);
            index = worst;
        }
    }
}
