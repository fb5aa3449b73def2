using Wallfacer.Models.Cache;
using Wallfacer.Numerics;
using Wallfacer.Numerics.Threading;

namespace Wallfacer.Models.Blocks;

/// <summary>
/// Causal grouped-query attention for a batch of query rows over the KV cache, one (token, head) pair per
/// work item. Follows llama.cpp's CPU flash-attention path (ggml-cpu ops.cpp,
/// <c>ggml_compute_forward_flash_attn_ext_f16_one_chunk</c>): the query is rounded to half precision to meet
/// the half-precision keys, and softmax runs online (running max and sum) while values accumulate in float.
/// </summary>
internal sealed class AttentionWork : IParallelWork
{
    private readonly DecoderConfig _c;
    private readonly float[][] _queryHalf;   // per worker: (keyDim) the query rounded through half precision
    private readonly float[][] _keyRow;      // per worker: (keyDim)
    private readonly float[][] _valueRow;    // per worker: (valueDim)
    private readonly float[][] _accumulator; // per worker: (valueDim)

    private float[] _q = [];        // (tokens, heads·keyDim)
    private float[] _output = [];   // (tokens, heads·valueDim)
    private KvCache? _cache;
    private int _layer;
    private int _startPosition;

    public AttentionWork(DecoderConfig config, int workers)
    {
        _c = config;
        _queryHalf = Alloc(workers, config.KeyHeadDim);
        _keyRow = Alloc(workers, config.KeyHeadDim);
        _valueRow = Alloc(workers, config.ValueHeadDim);
        _accumulator = Alloc(workers, config.ValueHeadDim);
    }

    private static float[][] Alloc(int workers, int length) =>
        Enumerable.Range(0, workers).Select(_ => new float[length]).ToArray();

    /// <summary>Attends <paramref name="tokens"/> query rows (at positions start, start+1, …) over the cache.</summary>
    public void Run(WorkerPool pool, KvCache cache, int layer, float[] q, float[] output, int tokens, int startPosition)
    {
        _cache = cache;
        _layer = layer;
        _q = q;
        _output = output;
        _startPosition = startPosition;
        pool.Run(this, tokens * _c.HeadCount);
        _cache = null;
    }

    public void Execute(int worker, int start, int end)
    {
        for (int item = start; item < end; item++)
            AttendOne(worker, item / _c.HeadCount, item % _c.HeadCount);
    }

    private void AttendOne(int worker, int token, int head)
    {
        int keyDim = _c.KeyHeadDim, valueDim = _c.ValueHeadDim;
        int kvHead = head / (_c.HeadCount / _c.KvHeadCount);
        int visible = _startPosition + token + 1; // causal: positions 0..own position
        float scale = 1.0f / MathF.Sqrt(keyDim);

        var q = _queryHalf[worker];
        RoundThroughHalf(_q.AsSpan((token * _c.HeadCount + head) * keyDim, keyDim), q);
        var keys = _cache!.Keys(_layer, visible);
        var values = _cache.Values(_layer, visible);
        var keyRow = _keyRow[worker];
        var valueRow = _valueRow[worker];
        var acc = _accumulator[worker];
        Array.Clear(acc);

        float max = float.NegativeInfinity, sum = 0;
        for (int j = 0; j < visible; j++)
        {
            HalfConvert.HalfToSingle(keys.Slice(j * _cache.KeyWidth + kvHead * keyDim, keyDim), keyRow);
            float s = Dot(q, keyRow) * scale;
            float ms = 1.0f, vs = 1.0f;
            if (s > max)
            {
                ms = MathF.Exp(max - s);
                max = s;
                Scale(acc, ms);
            }
            else
            {
                vs = MathF.Exp(s - max);
            }
            HalfConvert.HalfToSingle(values.Slice(j * _cache.ValueWidth + kvHead * valueDim, valueDim), valueRow);
            MultiplyAdd(acc, valueRow, vs);
            sum = sum * ms + vs;
        }

        var output = _output.AsSpan((token * _c.HeadCount + head) * valueDim, valueDim);
        float inv = sum == 0 ? 0 : 1.0f / sum;
        for (int d = 0; d < valueDim; d++)
            output[d] = acc[d] * inv;
    }

    private static void RoundThroughHalf(ReadOnlySpan<float> source, Span<float> destination)
    {
        for (int i = 0; i < source.Length; i++)
            destination[i] = HalfConvert.HalfToSingle(HalfConvert.SingleToHalf(source[i]));
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

    private static void Scale(Span<float> x, float s) =>
        System.Numerics.Tensors.TensorPrimitives.Multiply(x, s, x);

    private static void MultiplyAdd(Span<float> acc, ReadOnlySpan<float> v, float s) =>
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(v, s, acc, acc);
}
