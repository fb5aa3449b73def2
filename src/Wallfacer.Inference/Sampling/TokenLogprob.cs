namespace Wallfacer.Inference.Sampling;

/// <summary>A token and its log-probability under the raw (unprocessed) logits.</summary>
public readonly record struct TokenLogprob(int Token, float Logprob);
