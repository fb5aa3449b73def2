using Wallfacer.Gguf;

namespace Wallfacer.Models.Architectures.Llama;

/// <summary>
/// Llama 2/3 (and MiniCPM5, SmolLM, …): the plain family decoder. RoPE rotates adjacent pairs because the
/// converter permutes Q/K rows. Llama 3's frequency scaling arrives as the optional <c>rope_freqs</c>
/// tensor, which <see cref="ModelWeights"/> picks up for any architecture.
/// </summary>
public sealed class LlamaArchitecture : IArchitecture
{
    public string Name => "llama";

    public DecoderConfig ReadConfig(GgufFile file) => LlamaFamilyConfig.Read(file, Name);
}
