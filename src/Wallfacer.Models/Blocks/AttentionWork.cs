using Wallfacer.Models.Cache;
using Wallfacer.Numerics;
using Wallfacer.Numerics.Kernels;
using Wallfacer.Numerics.Threading;
using System.Runtime.Intrinsics;

namespace Wallfacer.Models.Blocks;

/// <summary>
/// Causal grouped-query attention for a batch of query rows over the KV cache, one (token, head) pair per
/// work item, with online softmax (running max and sum). It reproduces the two CPU flash-attention paths of
/// llama.cpp (ggml-cpu ops.cpp) so that logits agree with it closely:
/// <list type="bullet">
/// <item><b>Row path</b> (<c>ggml_compute_forward_flash_attn_ext_f16_one_chunk</c>, batches under 64 queries, i.e.
/// generation): the query is rounded to half precision to meet the half-precision keys, and the value
/// accumulator is kept in half precision.</item>
/// <item><b>Tiled path</b> (<c>ggml_compute_forward_flash_attn_ext_tiled</c>, batches of 64+ queries, i.e. prompts):
/// queries stay in float, keys are widened to float, the softmax advances one 64-key tile at a time, and
/// values accumulate in float. <see cref="TiledAttention"/> computes it block by block.</item>
/// </list>
/// llama.cpp additionally splits single-query attention over threads once the cache view reaches 512 cells;
/// that path is not reproduced (differences stay within rounding).
/// </summary>
internal sealed class AttentionWork : IParallelWork
{
    /// <summary>Queries per batch from which llama.cpp switches to the tiled path (GGML_FA_TILE_Q).</summary>
    internal const int TiledQueryThreshold = 64;

    /// <summary>Keys per softmax tile in the tiled path (GGML_FA_TILE_KV).</summary>
    internal const int KeyTile = 64;

    private readonly DecoderConfig _c;
    private readonly float[][] _query;       // per worker: (keyDim)
    private readonly float[][] _accumulator; // per worker: (valueDim)
    private readonly TiledAttention _tiledAttention;

    private float[] _q = [];        // (tokens, heads·keyDim)
    private float[] _output = [];   // (tokens, heads·valueDim)
    private KvCache? _cache;
    private KvCache[]? _rowCaches;   // per query row, when the rows belong to different sequences
    private int[]? _rowPositions;
    private int _layer;
    private int _startPosition;
    private bool _tiled;

    public AttentionWork(DecoderConfig config, int workers)
    {
        _c = config;
        _query = Alloc(workers, config.KeyHeadDim);
        _accumulator = Alloc(workers, config.ValueHeadDim);
        _tiledAttention = new TiledAttention(config, workers);
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
        _tiled = tokens >= TiledQueryThreshold && _c.ValueHeadDim % 16 == 0;
        if (_tiled)
        {
            pool.Run(this, _tiledAttention.Begin(cache, layer, q, output, tokens, startPosition));
            _tiledAttention.End();
        }
        else
        {
            pool.Run(this, tokens * _c.HeadCount);
        }
        _cache = null;
    }

    /// <summary>
    /// Attends one query row per sequence: row t (at position <c>positions[t]</c>) over <c>caches[t]</c>. Each
    /// row takes the same path as a lone generated token, so a sequence gets the same numbers batched or alone.
    /// </summary>
    public void RunRows(WorkerPool pool, KvCache[] caches, int[] positions, int layer, float[] q, float[] output, int tokens)
    {
        _rowCaches = caches;
        _rowPositions = positions;
        _layer = layer;
        _q = q;
        _output = output;
        _tiled = false;
        pool.Run(this, tokens * _c.HeadCount);
        _rowCaches = null;
        _rowPositions = null;
    }

    private KvCache CacheOf(int token) => _rowCaches is { } caches ? caches[token] : _cache!;

    private int PositionOf(int token) => _rowPositions is { } positions ? positions[token] : _startPosition + token;

    public void Execute(int worker, int start, int end)
    {
        for (int item = start; item < end; item++)
        {
            if (_tiled)
                _tiledAttention.Attend(worker, item); // an item is a block of tokens × one KV head
            else
                AttendRow(worker, item / _c.HeadCount, item % _c.HeadCount);
        }
    }

    private void AttendRow(int worker, int token, int head)
    {
        int keyDim = _c.KeyHeadDim, valueDim = _c.ValueHeadDim;
        int kvHead = head / (_c.HeadCount / _c.KvHeadCount);
        int visible = PositionOf(token) + 1; // causal: positions 0..own position
        var cache = CacheOf(token);
        float scale = 1.0f / MathF.Sqrt(keyDim);

        var q = _query[worker];
        RoundThroughHalf(QueryRow(token, head), q);
        var keys = cache.Keys(_layer, visible);
        var values = cache.Values(_layer, visible);
        var acc = _accumulator[worker]; // holds half-precision values, as llama.cpp's VKQ16
        Array.Clear(acc);

        // Keys and values stay fp16 here: the kernels widen them sixteen lanes at a time as they go.
        float max = float.NegativeInfinity, sum = 0;
        for (int j = 0; j < visible; j++)
        {
            float s = GgmlDot.HalfOrder(keys.Slice(j * cache.KeyWidth + kvHead * keyDim, keyDim), q) * scale;
            float ms = 1.0f, vs = 1.0f;
            if (s > max)
            {
                ms = MathF.Exp(max - s);
                max = s;
                HalfAccumulator.Scale(acc, ms);
            }
            else
            {
                vs = MathF.Exp(s - max);
            }
            HalfAccumulator.MultiplyAdd(values.Slice(j * cache.ValueWidth + kvHead * valueDim, valueDim), vs, acc); // ggml_vec_mad_f16
            sum = sum * ms + vs; // llama.cpp's build does not contract this into an FMA
        }
        WriteOutput(token, head, acc, sum);
    }

    private Span<float> QueryRow(int token, int head) =>
        _q.AsSpan((token * _c.HeadCount + head) * _c.KeyHeadDim, _c.KeyHeadDim);

    private void WriteOutput(int token, int head, float[] acc, float sum)
    {
        int valueDim = _c.ValueHeadDim;
        var output = _output.AsSpan((token * _c.HeadCount + head) * valueDim, valueDim);
        float inv = sum == 0 ? 0 : 1.0f / sum;
        for (int d = 0; d < valueDim; d++)
            output[d] = acc[d] * inv;
    }

    private static float RoundToHalf(float x) => HalfConvert.HalfToSingle(HalfConvert.SingleToHalf(x));

    private static void RoundThroughHalf(ReadOnlySpan<float> source, Span<float> destination)
    {
        for (int i = 0; i < source.Length; i++)
            destination[i] = RoundToHalf(source[i]);
    }
}
