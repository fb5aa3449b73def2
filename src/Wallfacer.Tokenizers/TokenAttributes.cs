namespace Wallfacer.Tokenizers;

/// <summary>Per-token attributes, bit for bit llama.cpp's <c>llama_token_attr</c> (include/llama.h).</summary>
[Flags]
public enum TokenAttributes
{
    Undefined = 0,
    Unknown = 1 << 0,
    Unused = 1 << 1,
    Normal = 1 << 2,
    Control = 1 << 3,
    UserDefined = 1 << 4,
    Byte = 1 << 5,
    Normalized = 1 << 6,
    /// <summary>When parsed from text, whitespace to the token's left is removed.</summary>
    LeftStrip = 1 << 7,
    /// <summary>When parsed from text, whitespace to the token's right is removed.</summary>
    RightStrip = 1 << 8,
    SingleWord = 1 << 9,
}

/// <summary>The token types stored in GGUF <c>tokenizer.ggml.token_type</c> (llama.cpp <c>llama_token_type</c>).</summary>
public enum TokenType
{
    Undefined = 0,
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}

/// <summary>The tokenizer algorithm a vocabulary uses (GGUF <c>tokenizer.ggml.model</c>).</summary>
public enum TokenizerKind
{
    /// <summary>SentencePiece-style byte-fallback BPE by score (<c>llama</c>).</summary>
    SentencePiece,
    /// <summary>GPT-2 byte-level BPE by merge rank (<c>gpt2</c>).</summary>
    BytePairEncoding,
}
