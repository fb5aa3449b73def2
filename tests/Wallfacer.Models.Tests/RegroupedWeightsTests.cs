using Wallfacer.Models.Cache;
using Wallfacer.Numerics.Kernels;
using Wallfacer.Numerics.Threading;

namespace Wallfacer.Models.Tests;

/// <summary>
/// A Q4_0 model loaded with regrouped weights (<see cref="Q4_0Interleaved"/>): its prompts give exactly the plain
/// model's logits where the plain model's prompts take per-block sums too (AVX-512) and close logits where they take the row
/// kernels' lane sums (AVX2), and every sequence of a batched decode step gets exactly the logits it
/// gets decoded alone, at any thread count (the interleaved kernel computes each (row, token) the same way for any
/// number of tokens).
/// </summary>
public class RegroupedWeightsTests
{
    private static float[] PromptLogits(DecoderModel model, int[] prompt, int threads)
    {
        var c = model.Config;
        using var pool = new WorkerPool(threads);
        var state = new ForwardState(c, prompt.Length, threads);
        Transformer.Forward(model, prompt, new KvCache(c, 64), state, pool, LogitsFor.AllTokens);
        return state.Logits.AsSpan(0, prompt.Length * c.VocabSize).ToArray();
    }

    [Fact]
    public void A_prompt_gives_the_plain_models_logits_bit_for_bit()
    {
        if (!Q4_0Interleaved.IsSupported)
            return; // neither AVX-512 nor AVX2: the weights stay row-major either way
        var spec = ThreadedGenerationTests.Shape();
        using var plain = SyntheticModels.Load(spec, regroupWeights: false);
        using var regrouped = SyntheticModels.Load(spec, regroupWeights: true);
        Assert.Equal(WeightLayout.RowMajor, plain.Weights.Layers[0].Gate.Layout);
        Assert.Equal(WeightLayout.Q4_0Interleaved, regrouped.Weights.Layers[0].Gate.Layout);
        int[] prompt = Enumerable.Range(0, 21).Select(i => (i * 13 + 3) % spec.VocabSize).ToArray();
        float[] expected = PromptLogits(plain, prompt, 2), actual = PromptLogits(regrouped, prompt, 2);
        if (new MatMul().UsesBlockSums(Numerics.Quants.GgmlType.Q4_0, prompt.Length))
        {
            Assert.Equal(expected, actual);
            return;
        }
        float largest = expected.Max(MathF.Abs), worst = expected.Zip(actual, (e, a) => MathF.Abs(e - a)).Max();
        // Different float sums now and then round an activation to the neighbouring int8 step in the next layer, so the
        // bound is the one quantized models keep against llama.cpp (2e-2 of the largest logit; measured here 8.5e-3).
        Assert.True(worst <= 2e-2f * largest, $"max|Δ| {worst:R} vs max|logit| {largest:R}");
    }

    [Fact]
    public void A_Q8_0_model_with_grouped_weights_gives_the_plain_models_logits_bit_for_bit()
    {
        // An odd vocabulary: the tied output matrix ends in a partial group of rows.
        var spec = new Synthetic.SyntheticModelSpec { WeightType = Numerics.Quants.GgmlType.Q8_0, VocabSize = 509, Seed = 5 };
        using var plain = SyntheticModels.Load(spec, regroupWeights: false);
        using var regrouped = SyntheticModels.Load(spec, regroupWeights: true);
        Assert.Equal(WeightLayout.RowMajor, plain.Weights.Output.Layout);
        if (!Q8_0Grouped.PreferredForOneSequence)
        {
            Assert.Equal(WeightLayout.RowMajor, regrouped.Weights.Output.Layout); // the AVX-512 kernels keep the file's rows
            return;
        }
        Assert.Equal(WeightLayout.Q8_0Grouped, regrouped.Weights.Output.Layout);
        Assert.Equal(WeightLayout.RowMajor, regrouped.Weights.Layers[0].Down.Layout); // prompts read it with many tokens
        Assert.Equal(WeightLayout.RowMajor, regrouped.Weights.TokenEmbedding.Layout); // looked up by row
        int[] prompt = Enumerable.Range(0, 21).Select(i => (i * 13 + 3) % spec.VocabSize).ToArray();
        foreach (int threads in new[] { 1, 2 })
        {
            Assert.Equal(PromptLogits(plain, prompt, threads), PromptLogits(regrouped, prompt, threads)); // prompt tiles
            Assert.Equal(PromptLogits(plain, [7], threads), PromptLogits(regrouped, [7], threads));       // one token
        }
    }

    [Fact]
    public void Each_sequence_of_a_batched_step_gets_exactly_its_logits_alone_at_any_thread_count()
    {
        if (!Q4_0Interleaved.IsSupported)
            return;
        using var model = SyntheticModels.Load(ThreadedGenerationTests.Shape(), regroupWeights: true);
        var c = model.Config;
        int[][] prompts = [[1, 2, 3, 4, 5], [9, 8], [100, 101, 102, 103, 104, 105, 106, 107, 108], [7]];
        foreach (int threads in new[] { 1, 2, 3 })
        {
            using var pool = new WorkerPool(threads);
            var caches = new KvCache[prompts.Length];
            var alone = new float[prompts.Length][];
            for (int s = 0; s < prompts.Length; s++)
            {
                var state = new ForwardState(c, 16, threads);
                var cache = new KvCache(c, 64);
                Transformer.Forward(model, prompts[s], cache, state, pool);
                caches[s] = new KvCache(c, 64);
                Transformer.Forward(model, prompts[s], caches[s], state, pool);
                Transformer.Forward(model, [42 + s], cache, state, pool);
                alone[s] = state.Logits.AsSpan(0, c.VocabSize).ToArray();
            }
            var batch = new ForwardState(c, prompts.Length, threads);
            Transformer.ForwardSequences(model, [42, 43, 44, 45], caches, batch, pool);
            for (int s = 0; s < prompts.Length; s++)
                Assert.Equal(alone[s], batch.Logits.AsSpan(s * c.VocabSize, c.VocabSize).ToArray());
        }
    }
}
