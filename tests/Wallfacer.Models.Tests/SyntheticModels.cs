using Wallfacer.Gguf;
using Wallfacer.Models.Synthetic;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Models.Tests;

/// <summary>Small synthetic models built in memory for tests.</summary>
internal static class SyntheticModels
{
    public static SyntheticModelSpec Tiny(string arch, GgmlType type = GgmlType.F32) => new()
    {
        Architecture = arch,
        EmbeddingLength = 64,
        BlockCount = 2,
        HeadCount = 4,
        KvHeadCount = 2,
        FeedForwardLength = 96,
        VocabSize = 300,
        WeightType = type,
        ContextLength = 256,
    };

    public static DecoderModel Load(SyntheticModelSpec spec, bool regroupWeights = false)
    {
        using var stream = new MemoryStream();
        SyntheticModelWriter.Build(spec).Write(stream);
        return DecoderModel.FromFile(GgufFile.Parse(stream.ToArray(), "synthetic"), regroupWeights);
    }
}
