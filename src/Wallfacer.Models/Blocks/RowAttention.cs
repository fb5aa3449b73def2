using System.Numerics.Tensors;
using Wallfacer.Models.Cache;
using Wallfacer.Numerics;
using Wallfacer.Numerics.Kernels;

namespace Wallfacer.Models.Blocks;

/// <summary>
/// The generation path of <see cref="AttentionWork"/>: llama.cpp's one-query flash attention
/// (<c>ggml_compute_forward_flash_attn_ext_f16_one_chunk</c>) for one query row and the query heads that share a KV
/// head. The query is rounded to fp16 to meet the fp16 keys; keys are visited in order with an online softmax; the
/// value accumulator is kept in fp16 (every update rounded).
/// <para>
/// The definition is one loop over keys, but only the accumulator update really depends on the previous key. So
/// the keys are taken in chunks, each in three passes with the same arithmetic: all scores (independent dot
/// products), then the running maximum with each key's rescale and weight (independent exponentials once the
/// maximum is known), then the accumulator updates alone (<see cref="HalfAccumulator.MultiplyAddRows(ReadOnlySpan{float}, int, float, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>).
/// The result is bit-identical to the single loop (a test compares it with a scalar transcription of llama.cpp).
/// </para>
/// <para>
/// A chunk's keys and values are widened from fp16 once into scratch (there is no F16C intrinsic in .NET, and
/// widening costs more than the multiply-add it feeds); with grouped-query attention every query head of the group
/// (7 in Qwen2.5-0.5B, 4 in Llama-3.2-1B) then runs over the same floats. The chunk's largest value magnitude goes
/// with them: it lets the accumulator updates prove before they start that no fp16 rounding can overflow, and leave
/// the per-update overflow handling out. Each head's arithmetic is unchanged.
/// </para>
/// </summary>
internal sealed class RowAttention
{
    /// <summary>Keys per chunk: the scratch of one worker, small enough to stay in L1/L2.</summary>
    private const int Chunk = 128;

    private readonly DecoderConfig _c;
    private readonly Scratch[] _scratch;

    public RowAttention(DecoderConfig config, int workers)
    {
        _c = config;
        _scratch = Enumerable.Range(0, workers).Select(_ => new Scratch(config)).ToArray();
    }

    private sealed class Scratch(DecoderConfig c)
    {
        private static int Group(DecoderConfig c) => c.HeadCount / c.KvHeadCount;
        public readonly float[] Queries = new float[Group(c) * c.KeyHeadDim];
        public readonly float[] Accumulators = new float[Group(c) * c.ValueHeadDim];
        public readonly float[] Maxima = new float[Group(c)];
        public readonly float[] Sums = new float[Group(c)];
        public readonly float[] Keys = new float[Chunk * c.KeyHeadDim];
        public readonly float[] Values = new float[Chunk * c.ValueHeadDim];
        public readonly float[] Scores = new float[Chunk];
        public readonly float[] Rescales = new float[Chunk];
        public readonly float[] Weights = new float[Chunk];
    }

    /// <summary>
    /// Attends the <paramref name="heads"/> query heads from <paramref name="firstHead"/> on (they must share one KV
    /// head; <paramref name="queries"/> holds their rows one after another) over the first <paramref name="visible"/>
    /// cells of <paramref name="cache"/>; writes their outputs one after another into <paramref name="outputs"/>.
    /// </summary>
    public void Attend(int worker, KvCache cache, int layer, int firstHead, int heads, ReadOnlySpan<float> queries, int visible, Span<float> outputs)
    {
        int keyDim = _c.KeyHeadDim, valueDim = _c.ValueHeadDim;
        int kvHead = firstHead / (_c.HeadCount / _c.KvHeadCount);
        float scale = 1.0f / MathF.Sqrt(keyDim);
        var scratch = _scratch[worker];
        for (int d = 0; d < heads * keyDim; d++)
            scratch.Queries[d] = HalfRounding.RoundToHalf(queries[d]);
        Array.Clear(scratch.Accumulators);
        scratch.Maxima.AsSpan().Fill(float.NegativeInfinity);
        Array.Clear(scratch.Sums);
        var keys = cache.Keys(layer, visible);
        var values = cache.Values(layer, visible);

        for (int first = 0; first < visible; first += Chunk)
        {
            int n = Math.Min(Chunk, visible - first);
            int keyOffset = first * cache.KeyWidth + kvHead * keyDim, valueOffset = first * cache.ValueWidth + kvHead * valueDim;
            var chunkKeys = scratch.Keys.AsSpan(0, n * keyDim);
            var chunkValues = scratch.Values.AsSpan(0, n * valueDim);
            HalfConvert.HalfToSingleRows(keys[keyOffset..], cache.KeyWidth, keyDim, n, chunkKeys);
            HalfConvert.HalfToSingleRows(values[valueOffset..], cache.ValueWidth, valueDim, n, chunkValues);
            float valueMagnitude = Magnitude.Largest(chunkValues);
            for (int h = 0; h < heads; h++)
            {
                var scores = scratch.Scores.AsSpan(0, n);
                GgmlDot.HalfOrderRows(chunkKeys, keyDim, scratch.Queries.AsSpan(h * keyDim, keyDim), scores);
                TensorPrimitives.Multiply(scores, scale, scores);
                var rescales = scratch.Rescales.AsSpan(0, n);
                var weights = scratch.Weights.AsSpan(0, n);
                OnlineSoftmax(scores, ref scratch.Maxima[h], ref scratch.Sums[h], rescales, weights);
                var acc = scratch.Accumulators.AsSpan(h * valueDim, valueDim);
                HalfAccumulator.MultiplyAddRows(chunkValues, valueDim, valueMagnitude, rescales, weights, acc);
            }
        }

        for (int h = 0; h < heads; h++)
        {
            float sum = scratch.Sums[h], inv = sum == 0 ? 0 : 1.0f / sum;
            var acc = scratch.Accumulators.AsSpan(h * valueDim, valueDim);
            var output = outputs.Slice(h * valueDim, valueDim);
            for (int d = 0; d < valueDim; d++)
                output[d] = acc[d] * inv;
        }
    }

    /// <summary>
    /// Advances one head's running maximum and sum over a chunk's scores, giving each key the accumulator's rescale
    /// (a new maximum) and its own weight, as llama.cpp's loop does key by key.
    /// </summary>
    private static void OnlineSoftmax(ReadOnlySpan<float> scores, ref float max, ref float sum, Span<float> rescales, Span<float> weights)
    {
        for (int j = 0; j < scores.Length; j++)
        {
            float s = scores[j], ms = 1.0f, vs = 1.0f;
            if (s > max)
            {
                ms = MathF.Exp(max - s);
                max = s;
            }
            else
            {
                vs = MathF.Exp(s - max);
            }
            rescales[j] = ms;
            weights[j] = vs;
            sum = sum * ms + vs; // llama.cpp's build does not contract this into an FMA
        }
    }
}
