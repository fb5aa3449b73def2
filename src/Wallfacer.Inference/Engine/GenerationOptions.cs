using Wallfacer.Inference.Grammar;
using Wallfacer.Inference.Sampling;

namespace Wallfacer.Inference.Engine;

/// <summary>What to generate and how to pick tokens.</summary>
public sealed record GenerationOptions
{
    /// <summary>Most tokens to generate (the prompt not counted).</summary>
    public int MaxTokens { get; init; } = 256;

    /// <summary>Sampler settings; <see cref="SamplerOptions.Greedy"/> for argmax decoding.</summary>
    public SamplerOptions Sampling { get; init; } = new();

    /// <summary>Generation ends when the text contains one of these; the stop string itself is not returned.</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    /// <summary>Report this many most likely tokens with log-probabilities at each step (0 = none).</summary>
    public int TopLogprobs { get; init; }

    /// <summary>Add BOS/EOS as the vocabulary asks when tokenizing the prompt.</summary>
    public bool AddSpecialTokens { get; init; } = true;

    /// <summary>Turn special-token strings in the prompt (e.g. <c>&lt;|im_start|&gt;</c>) into their ids.</summary>
    public bool ParseSpecialTokens { get; init; } = true;

    /// <summary>
    /// The prompt cache: treat the prompt as the session's whole sequence, keep the longest prefix the session
    /// already holds and evaluate only the rest (a chat's next turn then costs only its new tokens). Off, the
    /// prompt is appended to whatever the session holds.
    /// </summary>
    public bool ReuseCachedPrefix { get; init; }

    /// <summary>
    /// Constrain the output to this GBNF grammar (null = unconstrained): tokens the grammar refuses are masked
    /// before sampling, and end-of-generation is allowed only once the text is complete. When no token can
    /// continue, generation throws <see cref="GrammarException"/> rather than emit unconstrained text.
    /// </summary>
    public GbnfGrammar? Grammar { get; init; }

    internal void Validate()
    {
        if (MaxTokens < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "MaxTokens must not be negative.");
        if (TopLogprobs is < 0 or > 100)
            throw new ArgumentOutOfRangeException(nameof(TopLogprobs), TopLogprobs, "TopLogprobs must be within 0..100.");
        Sampling.Validate();
    }
}

/// <summary>Why generation ended.</summary>
public enum FinishReason
{
    /// <summary>The model produced an end-of-generation token.</summary>
    EndOfGeneration,
    /// <summary>A stop string appeared.</summary>
    StopString,
    /// <summary><see cref="GenerationOptions.MaxTokens"/> was reached.</summary>
    MaxTokens,
    /// <summary>The context is full.</summary>
    ContextFull,
}

/// <summary>One generated token: its id, the text it completes (may be empty while a UTF-8 character or a possible stop string is pending), and its log-probability.</summary>
public sealed record TokenStep(int Token, string Text, float Logprob, IReadOnlyList<TokenLogprob>? TopLogprobs);
