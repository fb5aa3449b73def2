namespace Wallfacer.Inference.Sampling;

/// <summary>
/// One stage of the sampling pipeline: narrows the candidates or edits their logits in place
/// (llama.cpp's <c>llama_sampler::apply</c>; mlx-lm's logits processors). Implementations keep
/// their scratch preallocated: <see cref="Process"/> runs once per generated token and must not allocate.
/// A grammar constraint is one more processor.
/// </summary>
public interface ILogitsProcessor
{
    /// <summary>Applies this stage to <paramref name="candidates"/>, given the sequence's recent tokens.</summary>
    void Process(CandidateBuffer candidates, TokenHistory history);
}
