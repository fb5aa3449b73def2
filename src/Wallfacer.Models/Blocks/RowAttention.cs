using Wallfacer.Models.Cache;
using Wallfacer.Numerics;
using Wallfacer.Numerics.Kernels;

namespace Wallfacer.Models.Blocks;

/// <summary>
/// The generation path of <see cref="AttentionWork"/>: llama.cpp's one-query flash attention
/// (<c>ggml_compute_forward_flash_attn_ext_f16_one_chunk</c>) for one (query row, head). The query is rounded to
/// fp16 to meet the fp16 keys; keys are visited in order with an online softmax; the value accumulator is kept in
/// fp16 (every update rounded).
/// <para>
/// The definition is one loop over keys, but only the accumulator update really depends on the previous key. So
/// the keys are taken in chunks, each in three passes with the same arithmetic: all scores (independent dot
/// products), then the running maximum with each key's rescale and weight (independent exponentials once the
/// maximum is known), then the accumulator updates alone (<see cref="HalfAccumulator.MultiplyAddRows"/>). The
/// result is bit-identical to the single loop (a test compares it with a scalar transcription of llama.cpp).
/// </para>
/// </summary>
internal sealed class RowAttention
{
    /// <summary>Keys per chunk: the scratch of one worker, small enough to stay in L1.</summary>
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
        public readonly float[] Query = new float[c.KeyHeadDim];
        public readonly float[] Accumulator = new float[c.ValueHeadDim];
        public readonly float[] Scores = new float[Chunk];
        public readonly float[] Rescales = new float[Chunk];
        public readonly float[] Weights = new float[Chunk];
    }

    /// <summary>Attends <paramref name="query"/> (one head) over the first <paramref name="visible"/> cells of <paramref name="cache"/>; writes <paramref name="output"/>.</summary>
    public void Attend(int worker, KvCache cache, int layer, int head, ReadOnlySpan<float> query, int visible, Span<float> output)
    {
        int keyDim = _c.KeyHeadDim, valueDim = _c.ValueHeadDim;
        int kvHead = head / (_c.HeadCount / _c.KvHeadCount);
        float scale = 1.0f / MathF.Sqrt(keyDim);
        var scratch = _scratch[worker];
        var q = scratch.Query;
        for (int d = 0; d < keyDim; d++)
            q[d] = HalfRounding.RoundToHalf(query[d]);
        var keys = cache.Keys(layer, visible);
        var values = cache.Values(layer, visible);
        var acc = scratch.Accumulator;
        Array.Clear(acc);

        float max = float.NegativeInfinity, sum = 0;
        for (int first = 0; first < visible; first += Chunk)
        {
            int n = Math.Min(Chunk, visible - first);
            var scores = scratch.Scores.AsSpan(0, n);
            for (int j = 0; j < n; j++)
                scores[j] = GgmlDot.HalfOrder(keys.Slice((first + j) * cache.KeyWidth + kvHead * keyDim, keyDim), q) * scale;
            var rescales = scratch.Rescales.AsSpan(0, n);
            var weights = scratch.Weights.AsSpan(0, n);
            for (int j = 0; j < n; j++)
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
            int offset = first * cache.ValueWidth + kvHead * valueDim;
            HalfAccumulator.MultiplyAddRows(values[offset..], cache.ValueWidth, rescales, weights, acc);
        }

        float inv = sum == 0 ? 0 : 1.0f / sum;
        for (int d = 0; d < valueDim; d++)
            output[d] = acc[d] * inv;
    }
}
