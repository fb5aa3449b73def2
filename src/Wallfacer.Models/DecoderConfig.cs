using Wallfacer.Numerics.Kernels;

namespace Wallfacer.Models;

/// <summary>
/// Everything about a Llama-family decoder that is only data (design decision 6). Each architecture
/// fills one of these from its <c>&lt;arch&gt;.*</c> GGUF keys; the shared forward pass reads it and never
/// tests an architecture name. Defaults describe a plain Llama.
/// </summary>
public sealed record DecoderConfig
{
    /// <summary>The GGUF architecture name (<c>general.architecture</c>), for display only.</summary>
    public required string Architecture { get; init; }

    /// <summary>Width of the residual stream (<c>embedding_length</c>).</summary>
    public required int EmbeddingLength { get; init; }

    /// <summary>Number of transformer blocks (<c>block_count</c>).</summary>
    public required int BlockCount { get; init; }

    /// <summary>Hidden width of the SwiGLU feed-forward block (<c>feed_forward_length</c>).</summary>
    public required int FeedForwardLength { get; init; }

    /// <summary>Query heads (<c>attention.head_count</c>).</summary>
    public required int HeadCount { get; init; }

    /// <summary>Key/value heads (<c>attention.head_count_kv</c>); fewer than <see cref="HeadCount"/> means grouped-query attention.</summary>
    public required int KvHeadCount { get; init; }

    /// <summary>Width of one query/key head (<c>attention.key_length</c>, default embedding / heads).</summary>
    public required int KeyHeadDim { get; init; }

    /// <summary>Width of one value head (<c>attention.value_length</c>, default embedding / heads).</summary>
    public required int ValueHeadDim { get; init; }

    /// <summary>Number of leading elements of each head that RoPE rotates (<c>rope.dimension_count</c>).</summary>
    public required int RotaryDims { get; init; }

    /// <summary>RoPE base frequency (<c>rope.freq_base</c>, default 10000).</summary>
    public float RopeFreqBase { get; init; } = 10000f;

    /// <summary>Which elements RoPE rotates together (adjacent pairs for llama/minicpm, halves for qwen).</summary>
    public RopePairing RopePairing { get; init; } = RopePairing.Adjacent;

    /// <summary>Context length the model was trained with (<c>context_length</c>).</summary>
    public required int TrainedContextLength { get; init; }

    /// <summary>Context length before any RoPE extension (<c>rope.scaling.original_context_length</c>, else the trained one).</summary>
    public int OriginalContextLength { get; init; }

    /// <summary>RMSNorm epsilon (<c>attention.layer_norm_rms_epsilon</c>).</summary>
    public float RmsNormEpsilon { get; init; } = 1e-5f;

    /// <summary>Rows of the embedding matrix.</summary>
    public required int VocabSize { get; init; }

    /// <summary>Token embeddings are multiplied by this on the input side only (MiniCPM: 12).</summary>
    public float EmbeddingScale { get; init; } = 1f;

    /// <summary>Each block's attention and feed-forward outputs are multiplied by this before the residual add (MiniCPM: 1.4/√layers).</summary>
    public float ResidualScale { get; init; } = 1f;

    /// <summary>Final logits are DIVIDED by this (MiniCPM: hidden/256).</summary>
    public float LogitScale { get; init; } = 1f;

    /// <summary>Query/key/value projections carry biases (Qwen2).</summary>
    public bool HasQkvBias { get; init; }

    /// <summary>Queries and keys get a per-head RMSNorm before RoPE (Qwen3).</summary>
    public bool HasQkNorm { get; init; }

    /// <summary>Rows of the query projection output: heads × key head width.</summary>
    public int QueryWidth => HeadCount * KeyHeadDim;

    /// <summary>Width of one position's keys: kv heads × key head width.</summary>
    public int KeyWidth => KvHeadCount * KeyHeadDim;

    /// <summary>Width of one position's values: kv heads × value head width.</summary>
    public int ValueWidth => KvHeadCount * ValueHeadDim;

    /// <summary>Checks the shape is self-consistent; throws naming the field that is not.</summary>
    public void Validate()
    {
        Require(EmbeddingLength > 0, nameof(EmbeddingLength), EmbeddingLength);
        Require(BlockCount > 0, nameof(BlockCount), BlockCount);
        Require(FeedForwardLength > 0, nameof(FeedForwardLength), FeedForwardLength);
        Require(HeadCount > 0, nameof(HeadCount), HeadCount);
        Require(KvHeadCount > 0 && HeadCount % KvHeadCount == 0, nameof(KvHeadCount), KvHeadCount);
        Require(KeyHeadDim > 0 && KeyHeadDim % 2 == 0, nameof(KeyHeadDim), KeyHeadDim);
        Require(ValueHeadDim > 0, nameof(ValueHeadDim), ValueHeadDim);
        Require(RotaryDims > 0 && RotaryDims % 2 == 0 && RotaryDims <= KeyHeadDim, nameof(RotaryDims), RotaryDims);
        Require(VocabSize > 0, nameof(VocabSize), VocabSize);
        Require(TrainedContextLength > 0, nameof(TrainedContextLength), TrainedContextLength);
        Require(float.IsFinite(RopeFreqBase) && RopeFreqBase > 0, nameof(RopeFreqBase), RopeFreqBase);
        Require(float.IsFinite(RmsNormEpsilon) && RmsNormEpsilon >= 0, nameof(RmsNormEpsilon), RmsNormEpsilon);
        Require(float.IsFinite(LogitScale) && LogitScale != 0, nameof(LogitScale), LogitScale);
    }

    private void Require(bool ok, string field, object value)
    {
        if (!ok)
            throw new InvalidDataException($"{Architecture} model: invalid {field} = {value}.");
    }
}
