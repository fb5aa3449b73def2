using Wallfacer.Numerics.Quants;

namespace Wallfacer.Models.Synthetic;

/// <summary>
/// The shape and tensor types of a model with random weights. Speed does not depend on weight values,
/// so these stand in for real models in tests and benchmarks (design: "Test models"). Presets follow the
/// real shapes in models.md; the text such a model writes is noise.
/// </summary>
public sealed record SyntheticModelSpec
{
    public string Architecture { get; init; } = "llama";
    public int EmbeddingLength { get; init; } = 64;
    public int BlockCount { get; init; } = 2;
    public int FeedForwardLength { get; init; } = 128;
    public int HeadCount { get; init; } = 4;
    public int KvHeadCount { get; init; } = 2;
    /// <summary>Head width; 0 means embedding / heads.</summary>
    public int HeadDim { get; init; }
    public int VocabSize { get; init; } = 512;
    public int ContextLength { get; init; } = 2048;
    public float RopeFreqBase { get; init; } = 10000f;
    public float RmsNormEpsilon { get; init; } = 1e-5f;
    /// <summary>Reuse the embedding as the output projection (no <c>output.weight</c>).</summary>
    public bool TiedOutput { get; init; } = true;
    /// <summary>Type of every 2-D weight matrix unless overridden below.</summary>
    public GgmlType WeightType { get; init; } = GgmlType.F32;
    /// <summary>Type of the token embedding (and of the output when tied); null means <see cref="WeightType"/>.</summary>
    public GgmlType? EmbeddingType { get; init; }
    /// <summary>Type of <c>output.weight</c> when untied; null means <see cref="WeightType"/>.</summary>
    public GgmlType? OutputType { get; init; }
    /// <summary>Type of <c>ffn_down</c> (Q4_K_M uses Q6_K for some); null means <see cref="WeightType"/>.</summary>
    public GgmlType? FeedForwardDownType { get; init; }
    /// <summary>Adds llama3-style <c>rope_freqs.weight</c> factors.</summary>
    public bool WithRopeFrequencyFactors { get; init; }
    /// <summary>Adds MiniCPM4-style LongRoPE factor tensors and the longrope scaling key.</summary>
    public bool WithLongRope { get; init; }
    /// <summary>Seed of the weights; the same seed gives the same file.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// Makes the file a "chat model": the vocabulary's last two pieces become the control tokens
    /// <c>&lt;|im_start|&gt;</c> and <c>&lt;|im_end|&gt;</c> (the latter ends generation) and the file carries a
    /// ChatML <c>tokenizer.chat_template</c> — or <see cref="ChatTemplate"/> when set.
    /// </summary>
    public bool WithChatTemplate { get; init; }

    /// <summary>The Jinja template written with <see cref="WithChatTemplate"/>; null means ChatML.</summary>
    public string? ChatTemplate { get; init; }

    /// <summary>
    /// More special tokens for a chat model (with <see cref="WithChatTemplate"/>): text and GGUF token type
    /// (3 control, 4 user-defined), e.g. a family's tool-call markers. They replace made-up pieces before the ChatML tokens.
    /// </summary>
    public IReadOnlyList<(string Text, int Type)> ExtraTokens { get; init; } = [];
    /// <summary>Standard deviation-like scale of the random weights.</summary>
    public float WeightScale { get; init; } = 0.08f;

    public int ResolvedHeadDim => HeadDim > 0 ? HeadDim : EmbeddingLength / HeadCount;

    /// <summary>Parameter count of the matrices and vectors this spec writes.</summary>
    public long ParameterCount
    {
        get
        {
            long e = EmbeddingLength, d = ResolvedHeadDim;
            long perBlock = e * HeadCount * d * 2 + e * KvHeadCount * d * 2 + 3 * e * FeedForwardLength + 2 * e;
            return VocabSize * e * (TiedOutput ? 1 : 2) + e + BlockCount * perBlock;
        }
    }
}
