using Wallfacer.Models.Cache;
using Wallfacer.Models.Synthetic;
using Wallfacer.Numerics.Kernels;
using Wallfacer.Numerics.Quants;
using Wallfacer.Numerics.Threading;

namespace Wallfacer.Models.Tests;

public class ForwardPassTests
{
    private static readonly int[] Prompt = [1, 17, 290, 42, 5, 99, 123, 7, 250, 3];

    public static TheoryData<string> Architectures => new() { "llama", "minicpm", "qwen2", "qwen3" };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Batched_prompt_gives_the_same_logits_as_one_token_at_a_time(string arch)
    {
        using var model = SyntheticModels.Load(SyntheticModels.Tiny(arch));
        float[][] batched = RunAll(model, Prompt, batch: Prompt.Length, threads: 1);
        float[][] stepwise = RunAll(model, Prompt, batch: 1, threads: 1);
        // Batches take tinyBLAS's order and single tokens ggml_vec_dot's (as in llama.cpp), so the two differ in the last
        // bits of every product; qwen3's per-head norms over 16-wide synthetic heads amplify that: measured up to 8e-8
        // of the largest logit with the AVX-512 orders and 1e-4 with the AVX2 orders. A wrong kernel is off by O(1).
        for (int t = 0; t < Prompt.Length; t++)
            AssertClose(batched[t], stepwise[t], 1e-3f);
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Logits_are_bit_identical_at_one_and_two_threads(string arch)
    {
        using var model = SyntheticModels.Load(SyntheticModels.Tiny(arch, GgmlType.Q4_K) with { EmbeddingLength = 256, HeadCount = 4, KvHeadCount = 4, FeedForwardLength = 256 });
        float[][] one = RunAll(model, Prompt, batch: 4, threads: 1);
        float[][] two = RunAll(model, Prompt, batch: 4, threads: 2);
        for (int t = 0; t < Prompt.Length; t++)
            Assert.Equal(one[t], two[t]);
    }

    [Fact]
    public void Minicpm_logits_are_the_llama_logits_of_scaled_weights_divided_by_the_logit_scale()
    {
        // With embedding scale 1, residual scale 1 and logit scale s, minicpm must equal llama ÷ s.
        var spec = SyntheticModels.Tiny("llama");
        using var llama = SyntheticModels.Load(spec);
        using var minicpm = SyntheticModels.Load(spec with { Architecture = "minicpm" });
        var c = minicpm.Config;
        Assert.Equal(12f, c.EmbeddingScale);
        Assert.Equal(64 / 256f, c.LogitScale);
        Assert.Equal(1.4f / MathF.Sqrt(2), c.ResidualScale, 6);
        // Different scales must change the logits (the knobs are wired in).
        var a = RunAll(llama, Prompt, 4, 1)[^1];
        var b = RunAll(minicpm, Prompt, 4, 1)[^1];
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Gqa_and_context_capacity_are_enforced()
    {
        using var model = SyntheticModels.Load(SyntheticModels.Tiny("llama"));
        var cache = new KvCache(model.Config, capacity: 4);
        var state = new ForwardState(model.Config, maxBatch: 8, workers: 1);
        using var pool = new WorkerPool(1);
        Transformer.Forward(model, [1, 2, 3], cache, state, pool);
        var ex = Assert.Throws<InvalidOperationException>(() => Transformer.Forward(model, [4, 5], cache, state, pool));
        Assert.Contains("context is full", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Transformer.Forward(model, [9999], new KvCache(model.Config, 4), state, pool));
    }

    [Fact]
    public void Untied_output_uses_the_output_matrix()
    {
        var spec = SyntheticModels.Tiny("llama") with { TiedOutput = false };
        using var model = SyntheticModels.Load(spec);
        Assert.False(model.Weights.OutputIsTied);
        using var tied = SyntheticModels.Load(spec with { TiedOutput = true });
        Assert.True(tied.Weights.OutputIsTied);
        Assert.NotEqual(RunAll(model, Prompt, 4, 1)[^1], RunAll(tied, Prompt, 4, 1)[^1]);
    }

    [Fact]
    public void Rope_factor_tensors_are_bound_and_change_the_result()
    {
        var spec = SyntheticModels.Tiny("llama");
        using var plain = SyntheticModels.Load(spec);
        using var scaled = SyntheticModels.Load(spec with { WithRopeFrequencyFactors = true });
        Assert.Null(plain.Weights.RopeFactorsFor(256));
        Assert.NotNull(scaled.Weights.RopeFactorsFor(256));
        Assert.NotEqual(RunAll(plain, Prompt, 4, 1)[^1], RunAll(scaled, Prompt, 4, 1)[^1]);
    }

    [Fact]
    public void LongRope_uses_the_long_factors_only_beyond_the_original_context()
    {
        using var model = SyntheticModels.Load(SyntheticModels.Tiny("minicpm") with { WithLongRope = true, ContextLength = 8192 });
        Assert.Same(model.Weights.RopeFactorsShort, model.Weights.RopeFactorsFor(4096));
        Assert.Same(model.Weights.RopeFactorsLong, model.Weights.RopeFactorsFor(4097));
    }

    [Fact]
    public void Every_preset_has_a_consistent_shape()
    {
        foreach (string name in SyntheticPresets.Names)
        {
            var spec = SyntheticPresets.Get(name);
            Assert.True(spec.ParameterCount > 0, name);
            Assert.Equal(0, spec.ResolvedHeadDim % 2);
            Assert.Equal(0, spec.HeadCount % spec.KvHeadCount);
        }
        Assert.InRange(SyntheticPresets.Get("qwen2.5-0.5b").ParameterCount, 480_000_000, 520_000_000);
    }

    internal static float[][] RunAll(DecoderModel model, int[] tokens, int batch, int threads)
    {
        var cache = new KvCache(model.Config, 64);
        var state = new ForwardState(model.Config, batch, threads);
        using var pool = new WorkerPool(threads);
        var rows = new List<float[]>();
        for (int start = 0; start < tokens.Length; start += batch)
        {
            var chunk = tokens.AsSpan(start, Math.Min(batch, tokens.Length - start));
            Transformer.Forward(model, chunk, cache, state, pool, LogitsFor.AllTokens);
            for (int t = 0; t < chunk.Length; t++)
                rows.Add(state.Logits.AsSpan(t * model.Config.VocabSize, model.Config.VocabSize).ToArray());
        }
        return rows.ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual, float relative)
    {
        float scale = expected.Max(MathF.Abs);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= relative * scale + 1e-6f,
                $"index {i}: {expected[i]} vs {actual[i]}");
    }
}

public class SyntheticWriterTests
{
    [Fact]
    public void K_quant_rows_that_are_not_whole_super_blocks_fall_back_like_llama_cpp()
    {
        // 96-wide rows cannot hold 256-element super-blocks; 256-wide rows (ffn_down) can.
        var spec = SyntheticModels.Tiny("qwen2") with { EmbeddingLength = 96, HeadCount = 3, KvHeadCount = 1, FeedForwardLength = 256 };
        using var model = SyntheticModels.Load(Synthetic.SyntheticPresets.Q4KM(spec));
        var layer = model.Weights.Layers[0];
        Assert.Equal(GgmlType.Q5_0, layer.Query.Type);            // Q4_K requested
        Assert.Equal(GgmlType.Q5_0, layer.Gate.Type);             // Q4_K requested
        Assert.Equal(GgmlType.Q6_K, layer.Down.Type);             // Q6_K fits 256-wide rows
        Assert.Equal(GgmlType.Q8_0, model.Weights.TokenEmbedding.Type); // Q6_K requested
        Assert.Throws<ArgumentException>(() => Synthetic.SyntheticModelWriter.StorableType(GgmlType.Q8_0, 100));
    }
}
