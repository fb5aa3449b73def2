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
    /// A grammar the output must match (GBNF, llama.cpp's format): the sampler can only pick tokens that keep the
    /// output valid, and end-of-generation only when it is complete. Null: unconstrained.
    /// </summary>
    public Grammar.GbnfGrammar? Grammar { get; init; }

    /// <summary>
    /// Makes <see cref="Grammar"/> lazy (llama.cpp's grammar triggers): the output is free until one of these texts
    /// appears in it, and from the trigger's first character on, the grammar must match the rest of the output.
    /// A tool call is the use: the model may answer in prose, but once it opens a call (<c>&lt;tool_call&gt;</c>)
    /// the call's syntax and arguments are enforced. Empty (and no trigger tokens): the grammar holds from the start.
    /// </summary>
    public IReadOnlyList<string> GrammarTriggers { get; init; } = [];

    /// <summary>
    /// Like <see cref="GrammarTriggers"/>, for special tokens (e.g. Mistral's <c>[TOOL_CALLS]</c>): when one is picked,
    /// its text is written into the output (special tokens are otherwise not rendered) and the grammar, which must
    /// start with that text, holds from there.
    /// </summary>
    public IReadOnlyList<int> GrammarTriggerTokens { get; init; } = [];

    /// <summary>
    /// Tokens that end generation as end-of-generation does (finish reason <see cref="FinishReason.EndOfGeneration"/>),
    /// their text not returned: e.g. a special token that closes a tool call. Under a grammar, only once it is complete.
    /// </summary>
    public IReadOnlyList<int> ExtraEndTokens { get; init; } = [];

    internal bool GrammarIsLazy => GrammarTriggers.Count > 0 || GrammarTriggerTokens.Count > 0;

    /// <summary>Never pick an end-of-generation token (llama.cpp's <c>ignore_eos</c>): the run ends by length or stop string.</summary>
    public bool IgnoreEndOfGeneration { get; init; }

    internal void Validate()
    {
        if (MaxTokens < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "MaxTokens must not be negative.");
        if (TopLogprobs is < 0 or > 100)
            throw new ArgumentOutOfRangeException(nameof(TopLogprobs), TopLogprobs, "TopLogprobs must be within 0..100.");
        if (GrammarIsLazy && Grammar is null)
            throw new ArgumentException("Grammar triggers were given without a grammar.", nameof(GrammarTriggers));
        if (GrammarTriggers.Any(string.IsNullOrEmpty))
            throw new ArgumentException("A grammar trigger must not be empty.", nameof(GrammarTriggers));
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
