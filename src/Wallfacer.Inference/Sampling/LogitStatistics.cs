namespace Wallfacer.Inference.Sampling;

/// <summary>
/// The softmax of one step's raw logits in summary — its maximum, log normalizer and entropy — from which any
/// token's log-probability follows without another pass over the vocabulary. Produced by
/// <see cref="Logprobs.Statistics"/>, or by <see cref="Sampler.Sample(ReadOnlySpan{float}, out LogitStatistics)"/>,
/// which reuses its own exponent pass when it drew from the raw logits.
/// </summary>
public readonly struct LogitStatistics
{
    /// <summary>From the maximum, Σ e^(l − max) and Σ e^(l − max)·(l − max), each summed in index order.</summary>
    internal LogitStatistics(double maxLogit, double total, double weighted)
    {
        MaxLogit = maxLogit;
        LogNormalizer = PortableMath.Log(total);
        Entropy = Math.Max(0, LogNormalizer - weighted / total);
    }

    /// <summary>The largest logit.</summary>
    public double MaxLogit { get; }

    /// <summary>log Σ e^(logit − <see cref="MaxLogit"/>).</summary>
    public double LogNormalizer { get; }

    /// <summary>The entropy of the distribution in nats: how unsure the model was at this step.</summary>
    public double Entropy { get; }

    /// <summary>
    /// log softmax(logits)[token] = (logit[token] − max) − log Σ e^(logit − max), for the logits these statistics
    /// were computed from.
    /// </summary>
    public float LogSoftmaxAt(ReadOnlySpan<float> logits, int token)
    {
        if ((uint)token >= (uint)logits.Length)
            throw new ArgumentOutOfRangeException(nameof(token), token, $"Token must be in [0, {logits.Length}).");
        return (float)(logits[token] - MaxLogit - LogNormalizer);
    }
}
