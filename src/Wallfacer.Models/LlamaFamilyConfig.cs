using Wallfacer.Gguf;

namespace Wallfacer.Models;

/// <summary>
/// Reads the <c>&lt;arch&gt;.*</c> keys every Llama-family GGUF carries (models.md, "The Llama-family
/// decoder"). Architectures start from this and adjust what differs.
/// </summary>
public static class LlamaFamilyConfig
{
    /// <summary>The common config of architecture <paramref name="arch"/> from the file's metadata and tensors.</summary>
    public static DecoderConfig Read(GgufFile file, string arch)
    {
        var m = file.Metadata;
        int embedding = (int)m.GetUInt32(GgufKeys.EmbeddingLength(arch));
        int heads = (int)m.GetUInt32(GgufKeys.HeadCount(arch));
        int kvHeads = (int)m.GetUInt32(GgufKeys.HeadCountKv(arch), (uint)heads);
        int keyDim = (int)m.GetUInt32(GgufKeys.KeyLength(arch), heads > 0 ? (uint)(embedding / heads) : 0);
        int valueDim = (int)m.GetUInt32(GgufKeys.ValueLength(arch), heads > 0 ? (uint)(embedding / heads) : 0);
        int trained = (int)m.GetUInt32(GgufKeys.ContextLength(arch));
        return new DecoderConfig
        {
            Architecture = arch,
            EmbeddingLength = embedding,
            BlockCount = (int)m.GetUInt32(GgufKeys.BlockCount(arch)),
            FeedForwardLength = (int)m.GetUInt32(GgufKeys.FeedForwardLength(arch)),
            HeadCount = heads,
            KvHeadCount = kvHeads,
            KeyHeadDim = keyDim,
            ValueHeadDim = valueDim,
            RotaryDims = (int)m.GetUInt32(GgufKeys.RopeDimensionCount(arch), (uint)keyDim),
            RopeFreqBase = m.GetSingle(GgufKeys.RopeFreqBase(arch), 10000f),
            TrainedContextLength = trained,
            OriginalContextLength = (int)m.GetUInt32(GgufKeys.RopeScalingOriginalContextLength(arch), (uint)trained),
            RmsNormEpsilon = m.GetSingle(GgufKeys.LayerNormRmsEpsilon(arch), 1e-5f),
            VocabSize = VocabSizeOf(file),
        };
    }

    private static int VocabSizeOf(GgufFile file)
    {
        var embd = file.GetTensor(TensorNames.TokenEmbedding);
        return embd.Dimensions.Length == 2
            ? checked((int)embd.Dimensions[1])
            : throw new InvalidDataException($"{TensorNames.TokenEmbedding} must be 2-D, got {embd.Dimensions.Length}-D.");
    }
}
