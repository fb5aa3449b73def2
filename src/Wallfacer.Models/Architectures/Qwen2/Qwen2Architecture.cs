using Wallfacer.Gguf;
using Wallfacer.Numerics.Kernels;

namespace Wallfacer.Models.Architectures.Qwen2;

/// <summary>Qwen2 / Qwen2.5: Llama plus Q/K/V biases, with RoPE rotating halves ("neox").</summary>
public sealed class Qwen2Architecture : IArchitecture
{
    public string Name => "qwen2";

    public DecoderConfig ReadConfig(GgufFile file) =>
        LlamaFamilyConfig.Read(file, Name) with { RopePairing = RopePairing.Halves, HasQkvBias = true };
}
