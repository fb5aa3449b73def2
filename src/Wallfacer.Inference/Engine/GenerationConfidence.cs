namespace Wallfacer.Inference.Engine;

/// <summary>
/// How sure the model was of what it generated, from its own distributions: the mean and the minimum
/// log-probability of the picked tokens, and the mean entropy (nats) of the distributions they were picked
/// from. A cascade uses these to decide whether a local answer is good enough or should go to a bigger model.
/// </summary>
public sealed record GenerationConfidence(int Tokens, double MeanLogprob, double MinLogprob, double MeanEntropy)
{
    /// <summary>The geometric-mean probability of the picked tokens, e^MeanLogprob, in (0, 1].</summary>
    public double MeanProbability => Tokens > 0 ? Math.Exp(MeanLogprob) : 0;
}

/// <summary>Running sums for <see cref="GenerationConfidence"/> (a struct: no allocation per token).</summary>
internal struct ConfidenceAccumulator
{
    private int _tokens;
    private double _sumLogprob, _minLogprob, _sumEntropy;

    public void Add(float logprob, double entropy)
    {
        _minLogprob = _tokens == 0 ? logprob : Math.Min(_minLogprob, logprob);
        _tokens++;
        _sumLogprob += logprob;
        _sumEntropy += entropy;
    }

    public readonly GenerationConfidence Result => _tokens == 0
        ? new GenerationConfidence(0, 0, 0, 0)
        : new GenerationConfidence(_tokens, _sumLogprob / _tokens, _minLogprob, _sumEntropy / _tokens);
}
