using Wallfacer.Models.Cache;
using Wallfacer.Numerics;
using Wallfacer.Numerics.Kernels;
using Wallfacer.Numerics.Threading;
using System.Runtime.Intrinsics;

namespace Wallfacer.Models.Blocks;

/// <summary>
/// Causal grouped-query attention for a batch of query rows over the KV cache with online softmax (running max and
/// sum). A work item of the row path is one token and the query heads of one KV head (or part of them, when a
/// whole group per item would leave threads idle); one of the tiled path is a block of tokens and one KV head. It
/// reproduces the two CPU flash-attention paths of llama.cpp (ggml-cpu ops.cpp) so that logits agree with it closely:
/// <list type="bullet">
/// <item><b>Row path</b> (<c>ggml_compute_forward_flash_attn_ext_f16_one_chunk</c>, batches under 64 queries, i.e.
/// generation): the query is rounded to half precision to meet the half-precision keys, and the value
/// accumulator is kept in half precision. <see cref="RowAttention"/> computes it.</item>
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
    private readonly RowAttention _rowAttention;
    private readonly TiledAttention _tiledAttention;

    private float[] _q = [];        // (tokens, heads·keyDim)
    private float[] _output = [];   // (tokens, heads·valueDim)
    private KvCache? _cache;
    private KvCache[]? _rowCaches;   // per query row, when the rows belong to different sequences
    private int[]? _rowPositions;
    private int _layer;
    private int _startPosition;
    private bool _tiled;
    private int _headsPerItem = 1;

    public AttentionWork(DecoderConfig config, int workers)
    {
        _c = config;
        _rowAttention = new RowAttention(config, workers);
        _tiledAttention = new TiledAttention(config, workers);
    }

    /// <summary>Attends <paramref name="tokens"/> query rows (at positions start, start+1, …) over the cache.</summary>
    public void Run(WorkerPool pool, KvCache cache, int layer, float[] q, float[] output, int tokens, int startPosition)
    {
        _cache = cache;
        _layer = layer;
        _q = q;
        _output = output;
        _startPosition = startPosition;
        // llama.cpp tiles only value heads that are a multiple of its build's float vector width (DV % GGML_F32_EPR).
        _tiled = tokens >= TiledQueryThreshold && _c.ValueHeadDim % GgmlBuild.F32VectorWidth == 0;
        if (_tiled)
        {
            pool.Run(this, _tiledAttention.Begin(cache, layer, q, output, tokens, startPosition));
            _tiledAttention.End();
        }
        else
        {
            pool.Run(this, RowItems(tokens, pool.ThreadCount));
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
        pool.Run(this, RowItems(tokens, pool.ThreadCount));
        _rowCaches = null;
        _rowPositions = null;
    }

    /// <summary>
    /// Work items of the row path: each takes the query heads of one KV head (they share its widened keys and values),
    /// split into the fewest equal parts that still give every thread an item.
    /// </summary>
    private int RowItems(int tokens, int threads)
    {
        int group = _c.HeadCount / _c.KvHeadCount, parts = 1;
        while (parts < group && (group % parts != 0 || tokens * _c.KvHeadCount * parts < threads))
            parts++;
        _headsPerItem = group / parts;
        return tokens * _c.HeadCount / _headsPerItem;
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
                AttendRows(worker, item);
        }
    }

    private void AttendRows(int worker, int item)
    {
        int itemsPerToken = _c.HeadCount / _headsPerItem;
        int token = item / itemsPerToken, firstHead = item % itemsPerToken * _headsPerItem;
        int row = token * _c.HeadCount + firstHead; // the heads' query and output rows follow one another
        _rowAttention.Attend(worker, CacheOf(token), _layer, firstHead, _headsPerItem,
            _q.AsSpan(row * _c.KeyHeadDim, _headsPerItem * _c.KeyHeadDim), PositionOf(token) + 1, // causal: positions 0..own
            _output.AsSpan(row * _c.ValueHeadDim, _headsPerItem * _c.ValueHeadDim));
    }
}
