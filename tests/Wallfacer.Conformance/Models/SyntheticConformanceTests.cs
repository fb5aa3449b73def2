using Wallfacer.Conformance.Reference;
using Wallfacer.Inference.Engine;
using Wallfacer.Models.Synthetic;
using Wallfacer.Numerics.Quants;
using Wallfacer.TestSupport;
using Xunit.Abstractions;

namespace Wallfacer.Conformance.Models;

/// <summary>
/// Every architecture × weight type on synthetic models: llama.cpp and Wallfacer load the same file and
/// must agree on the logits of a multi-token prompt and of generated positions, and on perplexity
/// (issue "Engine core", Done list).
/// </summary>
[Collection(LlamaCollection.Name)]
public class SyntheticConformanceTests(ITestOutputHelper output)
{
    private static readonly string[] Architectures = ["llama", "minicpm", "qwen2", "qwen3"];
    private static readonly GgmlType[] Types =
        [GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K];

    public static TheoryData<string, GgmlType> Cases()
    {
        var data = new TheoryData<string, GgmlType>();
        foreach (var a in Architectures)
            foreach (var t in Types)
                data.Add(a, t);
        return data;
    }

    internal static SyntheticModelSpec Spec(string arch, GgmlType type) => new()
    {
        Architecture = arch, EmbeddingLength = 256, BlockCount = 2, HeadCount = 4, KvHeadCount = 2,
        FeedForwardLength = 512, VocabSize = 512, ContextLength = 512, WeightType = type, WeightScale = 0.1f,
        Seed = (ulong)(arch.GetHashCode(StringComparison.Ordinal) & 0xffff) + (ulong)type,
        WithRopeFrequencyFactors = arch == "llama",
    };

    [ReferenceTheory]
    [MemberData(nameof(Cases))]
    public void Logits_agree_with_llama_cpp(string arch, GgmlType type)
    {
        string path = WriteModel(arch, type);
        using var reference = LlamaReferenceModel.Load(path, threads: 2, contextSize: 256);
        using var model = LanguageModel.Load(path);
        using var session = model.CreateSession(new SessionOptions { ContextLength = 256, BatchSize = 32 });

        int[] prompt = PromptTokens(reference.Bos, 24);
        int[] generated = reference.GenerateGreedy(prompt, 16, out _);
        int[] all = [.. prompt, .. generated];
        float[][] expected = reference.EvaluateLogits(all);

        var cmp = new LogitComparison();
        session.EvaluateAll(all, (position, logits) => cmp.Add(logits, expected[position]));
        output.WriteLine($"{arch} {type}: {cmp}");

        bool exactType = type is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16;
        Assert.True(cmp.WorstRelativeError <= (exactType ? 1e-3 : 2e-2), cmp.ToString());
        Assert.True(cmp.TopOneRate >= 0.99, cmp.ToString());
    }

    [ReferenceTheory]
    [InlineData("llama", GgmlType.F32)]
    [InlineData("minicpm", GgmlType.Q4_K)]
    [InlineData("qwen2", GgmlType.Q8_0)]
    [InlineData("qwen3", GgmlType.Q4_0)]
    public void Perplexity_agrees_with_llama_cpp_within_a_tenth_of_a_percent(string arch, GgmlType type)
    {
        string path = WriteModel(arch, type);
        using var reference = LlamaReferenceModel.Load(path, threads: 2, contextSize: 128);
        using var model = LanguageModel.Load(path);
        using var session = model.CreateSession(new SessionOptions { ContextLength = 128, BatchSize = 128 });
        int[] tokens = PromptTokens(reference.Bos, 3 * 128);
        double theirs = reference.Perplexity(tokens, 128);
        double ours = PerplexityEvaluator.Compute(session, tokens, 128).Perplexity;
        output.WriteLine($"{arch} {type}: perplexity ours {ours:F6}, llama.cpp {theirs:F6}");
        Assert.InRange(ours / theirs, 0.999, 1.001);
    }

    private static string WriteModel(string arch, GgmlType type)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), $"{arch}-{type}.gguf");
        SyntheticModelWriter.Write(Spec(arch, type), path);
        return path;
    }

    /// <summary>BOS then a fixed pseudo-random walk over the non-special part of the vocabulary.</summary>
    internal static int[] PromptTokens(int bos, int count)
    {
        var tokens = new int[count];
        tokens[0] = bos;
        uint x = 12345;
        for (int i = 1; i < count; i++)
        {
            x = x * 1664525 + 1013904223;
            tokens[i] = 3 + (int)(x >> 8) % 500;
        }
        return tokens;
    }
}
