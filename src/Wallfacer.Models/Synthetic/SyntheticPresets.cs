using Wallfacer.Numerics.Quants;

namespace Wallfacer.Models.Synthetic;

/// <summary>The real model shapes of models.md as synthetic specs, by name.</summary>
public static class SyntheticPresets
{
    private static readonly Dictionary<string, SyntheticModelSpec> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["minicpm-2b"] = new() { Architecture = "minicpm", EmbeddingLength = 2304, BlockCount = 40, HeadCount = 36, KvHeadCount = 36, FeedForwardLength = 5760, VocabSize = 122753, RopeFreqBase = 1e4f, ContextLength = 4096 },
        ["minicpm-1b"] = new() { Architecture = "minicpm", EmbeddingLength = 1536, BlockCount = 52, HeadCount = 24, KvHeadCount = 8, FeedForwardLength = 3840, VocabSize = 73440, RopeFreqBase = 1e4f, ContextLength = 4096 },
        ["minicpm4-0.5b"] = new() { Architecture = "minicpm", EmbeddingLength = 1024, BlockCount = 24, HeadCount = 16, KvHeadCount = 2, FeedForwardLength = 4096, VocabSize = 73448, RopeFreqBase = 1e4f, ContextLength = 32768, WithLongRope = true },
        ["minicpm4-8b"] = new() { Architecture = "minicpm", EmbeddingLength = 4096, BlockCount = 32, HeadCount = 32, KvHeadCount = 2, HeadDim = 128, FeedForwardLength = 16384, VocabSize = 73448, RopeFreqBase = 1e4f, RmsNormEpsilon = 1e-6f, TiedOutput = false, ContextLength = 32768, WithLongRope = true },
        ["qwen2.5-0.5b"] = new() { Architecture = "qwen2", EmbeddingLength = 896, BlockCount = 24, HeadCount = 14, KvHeadCount = 2, FeedForwardLength = 4864, VocabSize = 151936, RopeFreqBase = 1e6f, RmsNormEpsilon = 1e-6f, ContextLength = 32768 },
        ["qwen3-0.6b"] = new() { Architecture = "qwen3", EmbeddingLength = 1024, BlockCount = 28, HeadCount = 16, KvHeadCount = 8, HeadDim = 128, FeedForwardLength = 3072, VocabSize = 151936, RopeFreqBase = 1e6f, RmsNormEpsilon = 1e-6f, ContextLength = 40960 },
        ["llama-3.2-1b"] = new() { Architecture = "llama", EmbeddingLength = 2048, BlockCount = 16, HeadCount = 32, KvHeadCount = 8, FeedForwardLength = 8192, VocabSize = 128256, RopeFreqBase = 5e5f, ContextLength = 131072, WithRopeFrequencyFactors = true },
        ["smollm2-135m"] = new() { Architecture = "llama", EmbeddingLength = 576, BlockCount = 30, HeadCount = 9, KvHeadCount = 3, FeedForwardLength = 1536, VocabSize = 49152, RopeFreqBase = 1e5f, ContextLength = 8192 },
        ["tiny"] = new() { Architecture = "llama", EmbeddingLength = 64, BlockCount = 2, HeadCount = 4, KvHeadCount = 2, FeedForwardLength = 128, VocabSize = 512 },
    };

    /// <summary>Every preset name.</summary>
    public static IEnumerable<string> Names => ByName.Keys;

    /// <summary>The preset called <paramref name="name"/>, with every weight of <paramref name="weightType"/>.</summary>
    public static SyntheticModelSpec Get(string name, GgmlType weightType = GgmlType.Q4_0) =>
        ByName.TryGetValue(name, out var spec)
            ? spec with { WeightType = weightType }
            : throw new ArgumentException($"Unknown preset '{name}'. Presets: {string.Join(", ", ByName.Keys)}.", nameof(name));

    /// <summary>
    /// llama.cpp's Q4_K_M mix, simplified: Q4_K everywhere, Q6_K for the output/embedding and feed-forward down
    /// projections (llama.cpp uses Q6_K for half of those; all of them keeps the mix simple and slightly heavier).
    /// </summary>
    public static SyntheticModelSpec Q4KM(SyntheticModelSpec spec) =>
        spec with { WeightType = GgmlType.Q4_K, EmbeddingType = GgmlType.Q6_K, OutputType = GgmlType.Q6_K, FeedForwardDownType = GgmlType.Q6_K };
}
