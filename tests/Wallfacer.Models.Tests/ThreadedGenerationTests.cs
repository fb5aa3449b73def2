using Wallfacer.TestSupport;
using Wallfacer.Models.Blocks;
using Wallfacer.Models.Cache;
using Wallfacer.Numerics;
using Wallfacer.Numerics.Kernels;
using Wallfacer.Numerics.Quants;
using Wallfacer.Numerics.Threading;

namespace Wallfacer.Models.Tests;

/// <summary>Generation (one token per forward call) and batched decode across thread counts.</summary>
public class ThreadedGenerationTests
{
    /// <summary>A qwen-like shape: 7 query heads per KV head, Q4_0 weights (the mat-vec kernel).</summary>
    internal static Synthetic.SyntheticModelSpec Shape(GgmlType type = GgmlType.Q4_0) =>
        SyntheticModels.Tiny("qwen2", type) with { EmbeddingLength = 448, HeadCount = 7, KvHeadCount = 1, FeedForwardLength = 512 };

    private static float[][] Generate(DecoderModel model, int steps, int threads)
    {
        var cache = new KvCache(model.Config, 128);
        var state = new ForwardState(model.Config, 1, threads);
        using var pool = new WorkerPool(threads);
        var rows = new float[steps][];
        var token = new int[1];
        for (int i = 0; i < steps; i++)
        {
            token[0] = (i * 37 + 5) % model.Config.VocabSize;
            Transformer.Forward(model, token, cache, state, pool);
            rows[i] = state.Logits.AsSpan(0, model.Config.VocabSize).ToArray();
        }
        return rows;
    }

    [Fact]
    public void Generated_logits_are_bit_identical_at_one_two_and_three_threads()
    {
        using var model = SyntheticModels.Load(Shape());
        var one = Generate(model, 40, 1);
        foreach (int threads in new[] { 2, 3 })
        {
            var other = Generate(model, 40, threads);
            for (int i = 0; i < one.Length; i++)
                Assert.Equal(one[i], other[i]);
        }
    }

    [Fact]
    public void Batched_decode_gives_each_sequence_its_own_logits_at_two_threads()
    {
        using var model = SyntheticModels.Load(Shape());
        var c = model.Config;
        int[][] prompts = [[1, 2, 3, 4, 5], [9, 8], [100, 101, 102, 103, 104, 105, 106, 107, 108]];
        using var pool = new WorkerPool(2);

        // Each sequence alone, one token at a time.
        var alone = new float[prompts.Length][];
        for (int s = 0; s < prompts.Length; s++)
        {
            var cache = new KvCache(c, 64);
            var state = new ForwardState(c, 1, 2);
            foreach (int t in prompts[s])
                Transformer.Forward(model, [t], cache, state, pool);
            Transformer.Forward(model, [42 + s], cache, state, pool);
            alone[s] = state.Logits.AsSpan(0, c.VocabSize).ToArray();
        }

        // All together: prompts alone, then one batched decode step.
        var caches = new KvCache[prompts.Length];
        var batchState = new ForwardState(c, prompts.Length, 2);
        for (int s = 0; s < prompts.Length; s++)
        {
            caches[s] = new KvCache(c, 64);
            var state = new ForwardState(c, 1, 2);
            foreach (int t in prompts[s])
                Transformer.Forward(model, [t], caches[s], state, pool);
        }
        Transformer.ForwardSequences(model, [42, 43, 44], caches, batchState, pool);
        for (int s = 0; s < prompts.Length; s++)
        {
            var together = batchState.Logits.AsSpan(s * c.VocabSize, c.VocabSize).ToArray();
            float scale = alone[s].Max(MathF.Abs);
            for (int i = 0; i < c.VocabSize; i++)
                Assert.True(MathF.Abs(alone[s][i] - together[i]) <= 1e-4f * scale, $"sequence {s}, logit {i}");
        }
    }

    /// <summary>
    /// A prompt riding a decode step several tokens at once: its rows share one cache and take consecutive positions,
    /// each attending to the ones before. Every row's logits equal those of evaluating the same tokens one by one.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Several_rows_of_one_sequence_take_consecutive_positions(bool regroupWeights)
    {
        using var model = SyntheticModels.Load(Shape(), regroupWeights);
        var c = model.Config;
        using var pool = new WorkerPool(2);
        int[] riding = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20]; // 10 rows of one sequence: 11 rows in all, past the few-token kernel

        // Alone: the decoding sequence's next token, and the riding prompt token by token.
        var decodeAlone = new KvCache(c, 64);
        var state = new ForwardState(c, 1, 2);
        foreach (int t in new[] { 1, 2, 3 })
            Transformer.Forward(model, [t], decodeAlone, state, pool);
        Transformer.Forward(model, [42], decodeAlone, state, pool);
        var expectedDecode = state.Logits.AsSpan(0, c.VocabSize).ToArray();
        var promptAlone = new KvCache(c, 64);
        Transformer.Forward(model, [5], promptAlone, state, pool);
        var expectedRiding = new float[riding.Length][];
        for (int k = 0; k < riding.Length; k++)
        {
            Transformer.Forward(model, [riding[k]], promptAlone, state, pool);
            expectedRiding[k] = state.Logits.AsSpan(0, c.VocabSize).ToArray();
        }

        // Together: one step of the decode token and all riding tokens.
        var decodeCache = new KvCache(c, 64);
        foreach (int t in new[] { 1, 2, 3 })
            Transformer.Forward(model, [t], decodeCache, state, pool);
        var promptCache = new KvCache(c, 64);
        Transformer.Forward(model, [5], promptCache, state, pool);
        int[] tokens = [42, .. riding];
        KvCache[] caches = [decodeCache, .. Enumerable.Repeat(promptCache, riding.Length)];
        var batch = new ForwardState(c, tokens.Length, 2);
        Transformer.ForwardSequences(model, tokens, caches, batch, pool);
        Assert.Equal(expectedDecode, batch.Logits.AsSpan(0, c.VocabSize).ToArray());
        for (int k = 0; k < riding.Length; k++)
            Assert.Equal(expectedRiding[k], batch.Logits.AsSpan((k + 1) * c.VocabSize, c.VocabSize).ToArray());
        Assert.Equal(4, decodeCache.Length);
        Assert.Equal(1 + riding.Length, promptCache.Length);
    }

    [Theory]
    [InlineData(true, false, true, false)]
    [InlineData(false, false, false, true)]
    [InlineData(false, false, false, false)]
    public void A_batched_step_computes_only_the_wanted_rows_logits_and_they_equal_the_full_step(bool w0, bool w1, bool w2, bool w3)
    {
        using var model = SyntheticModels.Load(Shape());
        var c = model.Config;
        bool[] wanted = [w0, w1, w2, w3];
        using var pool = new WorkerPool(2);
        KvCache[] Prefilled()
        {
            var state = new ForwardState(c, 1, 2);
            return Enumerable.Range(0, 4).Select(s =>
            {
                var cache = new KvCache(c, 32);
                for (int t = 0; t <= s; t++)
                    Transformer.Forward(model, [7 * s + t + 1], cache, state, pool);
                return cache;
            }).ToArray();
        }
        var full = new ForwardState(c, 4, 2);
        Transformer.ForwardSequences(model, [50, 51, 52, 53], Prefilled(), full, pool);
        var some = new ForwardState(c, 4, 2);
        some.Logits.AsSpan().Fill(float.NaN);
        var caches = Prefilled();
        Transformer.ForwardSequences(model, [50, 51, 52, 53], caches, some, pool, wanted);
        for (int s = 0; s < 4; s++)
        {
            var row = some.Logits.AsSpan(s * c.VocabSize, c.VocabSize).ToArray();
            if (wanted[s])
                Assert.Equal(full.Logits.AsSpan(s * c.VocabSize, c.VocabSize).ToArray(), row);
            else if (!wanted.Contains(true))
                Assert.All(row, v => Assert.True(float.IsNaN(v))); // no output projection at all
            Assert.Equal(s + 2, caches[s].Length); // every row's keys and values were still stored
        }
    }

    [Theory]
    [InlineData(1, 1, 2)]
    [InlineData(77, 1, 2)]
    [InlineData(129, 1, 2)] // the keys are taken in chunks of 128
    [InlineData(300, 1, 2)]
    [InlineData(300, 1, 1)] // all seven heads of the one KV head in one work item
    [InlineData(129, 2, 1)] // two KV heads of four query heads each
    [InlineData(129, 2, 3)] // ... split into halves so that three threads get work
    [InlineData(77, 8, 2)]  // no grouping: every head reads its own fp16 rows
    public void The_row_attention_equals_its_scalar_definition(int visible, int kvHeads, int threads)
    {
        var shape = kvHeads == 1 ? Shape(GgmlType.F32) : Shape(GgmlType.F32) with { HeadCount = 8, KvHeadCount = kvHeads, EmbeddingLength = 512 };
        using var model = SyntheticModels.Load(shape);
        var c = model.Config;
        var random = new Random(5 + visible);
        var cache = new KvCache(c, 320);
        for (int p = 0; p < visible; p++)
            cache.Store(0, p, RandomRow(random, c.KeyWidth), RandomRow(random, c.ValueWidth));
        cache.SetLength(visible);
        float[] q = RandomRow(random, c.QueryWidth);
        var output = new float[c.HeadCount * c.ValueHeadDim];
        using var pool = new WorkerPool(threads);
        new AttentionWork(c, threads).Run(pool, cache, 0, q, output, 1, visible - 1);
        for (int h = 0; h < c.HeadCount; h++)
        {
            float[] expected = ScalarRow(c, cache, q.AsSpan(h * c.KeyHeadDim, c.KeyHeadDim), h * c.KvHeadCount / c.HeadCount, visible);
            Assert.Equal(expected, output.AsSpan(h * c.ValueHeadDim, c.ValueHeadDim).ToArray());
        }
    }

    /// <summary>llama.cpp's one-query flash attention, element by element (see <see cref="AttentionWork"/>).</summary>
    private static float[] ScalarRow(DecoderConfig c, KvCache cache, ReadOnlySpan<float> query, int kvHead, int visible)
    {
        int keyDim = c.KeyHeadDim, valueDim = c.ValueHeadDim;
        float[] q = new float[keyDim], key = new float[keyDim], value = new float[valueDim], acc = new float[valueDim];
        for (int d = 0; d < keyDim; d++)
            q[d] = HalfConvert.HalfToSingle(HalfConvert.SingleToHalf(query[d]));
        var keys = cache.Keys(0, visible);
        var values = cache.Values(0, visible);
        float max = float.NegativeInfinity, sum = 0, scale = 1.0f / MathF.Sqrt(keyDim);
        for (int j = 0; j < visible; j++)
        {
            HalfConvert.HalfToSingle(keys.Slice(j * cache.KeyWidth + kvHead * keyDim, keyDim), key);
            float s = GgmlDot.HalfOrder(key, q) /* its own tests tie it to the lane-by-lane form */ * scale;
            float ms = 1, vs = 1;
            if (s > max)
            {
                ms = MathF.Exp(max - s);
                max = s;
                for (int d = 0; d < valueDim; d++)
                    acc[d] = RoundToHalf(acc[d] * ms);
            }
            else
            {
                vs = MathF.Exp(s - max);
            }
            HalfConvert.HalfToSingle(values.Slice(j * cache.ValueWidth + kvHead * valueDim, valueDim), value);
            for (int d = 0; d < valueDim; d++)
                acc[d] = RoundToHalf(MathF.FusedMultiplyAdd(value[d], vs, acc[d]));
            sum = sum * ms + vs;
        }
        return acc.Select(a => a * (1.0f / sum)).ToArray();
    }

    private static float RoundToHalf(float x) => HalfConvert.HalfToSingle(HalfConvert.SingleToHalf(x));

    private static float[] RandomRow(Random random, int n) =>
        Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
}

public class ThreadedAllocationTests
{
    [Theory]
    [InlineData(2, false)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    public void Generating_a_token_on_several_threads_allocates_nothing_once_warm(int threads, bool letWorkersSleep)
    {
        using var model = SyntheticModels.Load(ThreadedGenerationTests.Shape());
        var cache = new KvCache(model.Config, 128);
        var state = new ForwardState(model.Config, 4, threads);
        using var pool = new WorkerPool(threads);
        var token = new int[1];
        Transformer.Forward(model, [1, 2, 3, 4], cache, state, pool);
        for (int i = 0; i < 10; i++)
        {
            token[0] = 10 + i;
            Transformer.Forward(model, token, cache, state, pool);
        }
        int warm = cache.Length;
        long[] allocated = QuietAllocationWindow.OnPool(pool, () =>
        {
            cache.SetLength(warm); // each window generates the same 30 positions
            for (int i = 0; i < 30; i++)
            {
                token[0] = 50 + i;
                Transformer.Forward(model, token, cache, state, pool);
                if (letWorkersSleep && i % 10 == 5)
                    Thread.Sleep(5); // longer than the workers spin: they block, and waking them must not allocate either
            }
        });
        for (int w = 0; w < threads; w++)
            Assert.True(allocated[w] == 0, $"worker {w} allocated {allocated[w]} bytes over 30 tokens");
    }
}
