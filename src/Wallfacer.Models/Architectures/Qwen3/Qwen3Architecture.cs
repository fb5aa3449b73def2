using Wallfacer.Gguf;
using Wallfacer.Numerics.Kernels;

namespace Wallfacer.Models.Architectures.Qwen3;

/// <summary>Qwen3 (dense): Llama plus a per-head RMSNorm on queries and keys before RoPE; no biases; RoPE rotates halves.</summary>
public sealed class Qwen3Architecture : IArchitecture
{
    public string Name => "qwen3";

    public DecoderConfig ReadConfig(GgufFile file) =>
        LlamaFamilyConfig.Read(file, Name) with { RopePairing = RopePairing.Halves, HasQkNorm = true };
}
