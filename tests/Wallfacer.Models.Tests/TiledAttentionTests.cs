using Wallfacer.Models.Blocks;
using Wallfacer.Models.Cache;
using Wallfacer.Numerics;
using Wallfacer.Numerics.Kernels;
using Wallfacer.Numerics.Quants;
using Wallfacer.Numerics.Threading;

namespace Wallfacer.Models.Tests;

/// <summary>The prompt path of attention (64+ query rows) against llama.cpp's tiled flash attention written row by row.</summary>
public class TiledAttentionTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 7, 1, 64 },  // Qwen2.5-0.5B: seven query heads per KV head
        { 4, 2, 128 }, // Qwen3-like: two per KV head, 128-wide heads (two 64-lane value chunks)
        { 8, 2, 80 },  // four per KV head, a 16-lane remainder after the 64-lane value chunk
        { 3, 3, 48 },  // MiniCPM-like: one per KV head, narrow heads
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Prompt_attention_is_bit_identical_to_the_row_by_row_definition(int heads, int kvHeads, int headDim)
    {
        using var model = SyntheticModels.Load(SyntheticModels.Tiny("llama") with { HeadCount = heads, KvHeadCount = kvHeads, HeadDim = headDim });
        var c = model.Config;
        var random = new Random(heads * 100 + headDim);
        foreach (var (tokens, start) in new[] { (64, 0), (77, 0), (150, 13), (65, 70), (200, 128) })
        {
            var cache = new KvCache(c, 384);
            for (int p = 0; p < start + tokens; p++)
                cache.Store(0, p, RandomRow(random, c.KeyWidth), RandomRow(random, c.ValueWidth));
            cache.SetLength(start + tokens);
            float[] q = RandomRow(random, tokens * c.QueryWidth);

            var expected = new float[tokens * c.HeadCount * c.ValueHeadDim];
            for (int t = 0; t < tokens; t++)
                for (int h = 0; h < c.HeadCount; h++)
                    ScalarTiledRow(c, cache, q.AsSpan((t * c.HeadCount + h) * c.KeyHeadDim, c.KeyHeadDim), h / (c.HeadCount / c.KvHeadCount), start + t + 1)
                        .CopyTo(expected, (t * c.HeadCount + h) * c.ValueHeadDim);

            foreach (int threads in new[] { 1, 2, 3 })
            {
                using var pool = new WorkerPool(threads);
                var output = new float[expected.Length];
                new AttentionWork(c, threads).Run(pool, cache, 0, q, output, tokens, start);
                Assert.True(expected.AsSpan().SequenceEqual(output), $"{tokens} tokens from position {start} at {threads} thread(s): {FirstDifference(expected, output)}");
            }
        }
    }

    [Fact]
    public void A_tile_softmax_matches_its_scalar_definition_for_every_count()
    {
        var random = new Random(3);
        for (int count = 1; count <= AttentionWork.KeyTile; count++)
        {
            float[] scores = RandomRow(random, AttentionWork.KeyTile);
            float[] reference = (float[])scores.Clone();
            float max = scores.AsSpan(0, count).ToArray().Max();
            double sum = TiledSoftmax.ExponentiateTile(scores, count, max);
            Assert.Equal(TiledSoftmax.ExponentiateScalar(reference, count, max), sum);
            Assert.Equal(reference.AsSpan(0, count).ToArray(), scores.AsSpan(0, count).ToArray());
        }
    }

    /// <summary>
    /// One query row as llama.cpp's <c>ggml_compute_forward_flash_attn_ext_tiled</c> computes it: float queries,
    /// keys widened to float, each score one FMA chain over the head dimension, a 64-key tile's softmax with ggml's
    /// exponential summed a vector at a time (16 lanes with AVX-512, 8 with AVX2) in double, values accumulated by FMA
    /// in key order.
    /// </summary>
    private static float[] ScalarTiledRow(DecoderConfig c, KvCache cache, ReadOnlySpan<float> q, int kvHead, int visible)
    {
        int keyDim = c.KeyHeadDim, valueDim = c.ValueHeadDim, tileSize = AttentionWork.KeyTile;
        float scale = 1.0f / MathF.Sqrt(keyDim);
        var keys = cache.Keys(0, visible);
        var values = cache.Values(0, visible);
        float[] key = new float[keyDim], value = new float[valueDim], acc = new float[valueDim], scores = new float[tileSize];
        float max = float.NegativeInfinity, sum = 0;
        for (int tile = 0; tile < visible; tile += tileSize)
        {
            int count = Math.Min(tileSize, visible - tile);
            float tileMax = float.NegativeInfinity;
            for (int j = 0; j < count; j++)
            {
                HalfConvert.HalfToSingle(keys.Slice((tile + j) * cache.KeyWidth + kvHead * keyDim, keyDim), key);
                float dot = 0;
                for (int d = 0; d < keyDim; d++)
                    dot = MathF.FusedMultiplyAdd(key[d], q[d], dot);
                scores[j] = dot * scale;
                tileMax = MathF.Max(tileMax, scores[j]);
            }
            float newMax = MathF.Max(max, tileMax);
            if (newMax > max)
            {
                float ms = MathF.Exp(max - newMax);
                for (int d = 0; d < valueDim; d++)
                    acc[d] *= ms;
                sum *= ms;
            }
            max = newMax;
            double tileSum = 0;
            int width = GgmlBuild.F32VectorWidth; // the vector width of the llama.cpp build that runs here
            float[] lanes = new float[width];
            for (int startLane = 0; startLane < tileSize; startLane += width)
            {
                for (int l = 0; l < width; l++)
                {
                    int j = startLane + l;
                    lanes[l] = j < count ? GgmlExp.Exp(scores[j] - max) : 0f;
                    if (j < count)
                        scores[j] = lanes[l];
                }
                tileSum += width == 8 ? GgmlDot8.Hsum(lanes) : GgmlDot.ReduceAdd16(lanes);
            }
            sum = (float)(sum + tileSum);
            for (int j = 0; j < count; j++)
            {
                HalfConvert.HalfToSingle(values.Slice((tile + j) * cache.ValueWidth + kvHead * valueDim, valueDim), value);
                for (int d = 0; d < valueDim; d++)
                    acc[d] = MathF.FusedMultiplyAdd(value[d], scores[j], acc[d]);
            }
        }
        float inv = sum == 0 ? 0 : 1.0f / sum;
        return acc.Select(a => a * inv).ToArray();
    }

    private static string FirstDifference(float[] expected, float[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                return $"element {i}: expected {expected[i]:R}, got {actual[i]:R}";
        return "none";
    }

    private static float[] RandomRow(Random random, int n) =>
        Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
}
