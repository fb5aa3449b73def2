using Wallfacer.Gguf;

namespace Wallfacer.Models.Architectures.MiniCpm;

/// <summary>
/// MiniCPM 1/2/4: Llama plus the three muP scalars (models.md). Embeddings × embedding_scale (input side
/// only), each block output × residual_scale before the residual add, logits ÷ logit_scale. Files converted
/// before these keys existed get the model's own definitions: 12, 1.4/√layers and hidden/256. (llama.cpp's
/// fallback for a missing logit scale is 256/hidden, which multiplies instead of divides — we follow the
/// model's definition.) LongRoPE factor tensors are handled by <see cref="ModelWeights"/>.
/// </summary>
public sealed class MiniCpmArchitecture : IArchitecture
{
    public string Name => "minicpm";

    public DecoderConfig ReadConfig(GgufFile file)
    {
        var config = LlamaFamilyConfig.Read(file, Name);
        var m = file.Metadata;
        return config with
        {
            EmbeddingScale = m.GetSingle(GgufKeys.EmbeddingScale(Name), 12f),
            ResidualScale = m.GetSingle(GgufKeys.ResidualScale(Name), 1.4f / MathF.Sqrt(config.BlockCount)),
            LogitScale = m.GetSingle(GgufKeys.LogitScale(Name), config.EmbeddingLength / 256f),
        };
    }
}
