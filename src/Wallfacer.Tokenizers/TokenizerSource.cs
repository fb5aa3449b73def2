namespace Wallfacer.Tokenizers;

/// <summary>
/// Everything a tokenizer is built from, as plain data: what GGUF's <c>tokenizer.ggml.*</c> keys hold.
/// <see cref="TokenizerFactory.FromGguf"/> fills it from a file; tests fill it by hand.
/// Optional values left null take llama.cpp's defaults for the model type.
/// </summary>
public sealed record TokenizerSource
{
    /// <summary><c>tokenizer.ggml.model</c>: "llama" (SentencePiece) or "gpt2" (byte-level BPE).</summary>
    public required string Model { get; init; }

    /// <summary><c>tokenizer.ggml.pre</c>: the pre-tokenizer of a BPE vocabulary (null = "default").</summary>
    public string? Pre { get; init; }

    public required IReadOnlyList<string> Tokens { get; init; }

    public IReadOnlyList<float>? Scores { get; init; }

    /// <summary>Values of <see cref="TokenType"/>, one per token.</summary>
    public IReadOnlyList<int>? TokenTypes { get; init; }

    /// <summary>BPE merges, "left right", in rank order.</summary>
    public IReadOnlyList<string>? Merges { get; init; }

    public int? BosId { get; init; }
    public int? EosId { get; init; }
    public int? EotId { get; init; }
    public int? EomId { get; init; }
    public int? UnknownId { get; init; }
    public int? SeparatorId { get; init; }
    public int? PaddingId { get; init; }
    public int? MaskId { get; init; }
    public int? FimPrefixId { get; init; }
    public int? FimSuffixId { get; init; }
    public int? FimMiddleId { get; init; }
    public int? FimPadId { get; init; }
    public int? FimRepoId { get; init; }
    public int? FimSeparatorId { get; init; }

    public bool? AddBos { get; init; }
    public bool? AddEos { get; init; }
    public bool? AddSpacePrefix { get; init; }

    /// <summary><c>general.name</c>: llama.cpp sets per-token strip attributes for some models by name (Phi-3).</summary>
    public string? ModelName { get; init; }

    /// <summary><c>general.architecture</c>.</summary>
    public string? Architecture { get; init; }
}
