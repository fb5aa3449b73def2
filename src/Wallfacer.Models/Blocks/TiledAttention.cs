using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Wallfacer.Models.Cache;
using Wallfacer.Numerics;
using Wallfacer.Numerics.Kernels;

namespace Wallfacer.Models.Blocks;

/// <summary>
/// The prompt path of <see cref="AttentionWork"/>: llama.cpp's tiled flash attention
/// (<c>ggml_compute_forward_flash_attn_ext_tiled</c>) organised so that the cache is read and widened once for many
/// query rows. One work item is a block of consecutive query tokens × one KV head — every query row that reads the
/// same keys. The item walks the cache in 64-key tiles; each tile is widened from fp16 once (keys transposed, so a
/// vector holds one dimension of eight keys) and then serves all of the item's rows.
/// <para>
/// Per row the arithmetic is exactly llama.cpp's row-at-a-time definition, only reordered between independent
/// values: a score is one FMA chain over the head dimension in order (eight keys' chains run side by side in the
/// lanes of one vector instead of one after another), the tile's softmax uses ggml's exponential and the same
/// 16-lane sums, and each value lane accumulates its FMAs in key order. The result is therefore bit-identical to the
/// scalar definition whatever the block size, vector width or thread count (a test holds it to that). Lining the
/// keys up in lanes is what makes it fast: the per-key dot product was a chain of dependent FMAs, each waiting for
/// the previous one.
/// </para>
/// </summary>
internal sealed class TiledAttention
{
    private const int KeyTile = AttentionWork.KeyTile;
    private const int Lanes = 8; // Vector256<float>: eight keys per vector; also right for AVX2-only machines

    /// <summary>Query rows one work item aims to serve from each widened tile.</summary>
    private const int RowsPerItem = 64;

    private readonly DecoderConfig _c;
    private readonly int _group;       // query heads per KV head
    private readonly int _blockTokens; // query tokens per work item
    private readonly Scratch[] _scratch;

    private KvCache _cache = null!;
    private float[] _q = [];
    private float[] _output = [];
    private int _layer, _tokens, _startPosition, _blocks;

    public TiledAttention(DecoderConfig config, int workers)
    {
        _c = config;
        _group = config.HeadCount / config.KvHeadCount;
        _blockTokens = Math.Max(1, RowsPerItem / _group);
        _scratch = Enumerable.Range(0, workers).Select(_ => new Scratch(_blockTokens * _group, config)).ToArray();
    }

    /// <summary>Per-worker buffers: one widened tile, one row's scores and every row's running softmax state.</summary>
    private sealed class Scratch(int rows, DecoderConfig c)
    {
        public readonly float[] KeyRow = new float[c.KeyHeadDim];
        public readonly float[] KeysByDimension = new float[c.KeyHeadDim * KeyTile]; // [d, key]
        public readonly float[] Values = new float[KeyTile * c.ValueHeadDim];        // [key, d]
        public readonly float[] Scores = new float[KeyTile];
        public readonly float[] PairScores = new float[KeyTile]; // the second row of a pair
        public readonly float[] Accumulators = new float[rows * c.ValueHeadDim];
        public readonly float[] Max = new float[rows];
        public readonly float[] Sum = new float[rows];
    }

    /// <summary>Sets up a batch of <paramref name="tokens"/> query rows at positions start, start+1, …; returns the work item count.</summary>
    public int Begin(KvCache cache, int layer, float[] q, float[] output, int tokens, int startPosition)
    {
        _cache = cache;
        _layer = layer;
        _q = q;
        _output = output;
        _tokens = tokens;
        _startPosition = startPosition;
        _blocks = (tokens + _blockTokens - 1) / _blockTokens;
        return _blocks * _c.KvHeadCount;
    }

    public void End() => _cache = null!;

    /// <summary>
    /// Attends one block of query tokens for one KV head. Items are numbered latest block first: causal blocks near
    /// the end read the most keys, and starting them first keeps the threads' last chunks short.
    /// </summary>
    public void Attend(int worker, int item)
    {
        int block = _blocks - 1 - item / _c.KvHeadCount, kvHead = item % _c.KvHeadCount;
        int first = block * _blockTokens, end = Math.Min(_tokens, first + _blockTokens);
        var scratch = _scratch[worker];
        int rows = (end - first) * _group;
        scratch.Max.AsSpan(0, rows).Fill(float.NegativeInfinity);
        scratch.Sum.AsSpan(0, rows).Clear();
        scratch.Accumulators.AsSpan(0, rows * _c.ValueHeadDim).Clear();

        int keysNeeded = _startPosition + end; // what the block's last token sees
        for (int tile = 0; tile < keysNeeded; tile += KeyTile)
        {
            int tileKeys = Math.Min(KeyTile, keysNeeded - tile);
            WidenKeys(scratch, kvHead, tile, tileKeys);
            WidenValues(scratch, kvHead, tile, tileKeys);
            // Rows go through the tile two at a time where the vector unit allows: twice the independent FMA chains,
            // and each loaded key or value serves both.
            int pendingToken = -1, pendingHead = 0, pendingCount = 0;
            for (int token = first; token < end; token++)
            {
                int visible = _startPosition + token + 1;
                if (visible <= tile)
                    continue;
                int count = Math.Min(KeyTile, visible - tile);
                for (int g = 0; g < _group; g++)
                {
                    int head = kvHead * _group + g, row = (token - first) * _group + g;
                    if (!s_pairs)
                    {
                        AttendTile(scratch, QueryRow(token, head), row, count);
                    }
                    else if (pendingToken < 0)
                    {
                        (pendingToken, pendingHead, pendingCount) = (token, head, count);
                    }
                    else
                    {
                        AttendTilePair(scratch, QueryRow(pendingToken, pendingHead), (pendingToken - first) * _group + pendingHead % _group,
                            pendingCount, QueryRow(token, head), row, count);
                        pendingToken = -1;
                    }
                }
            }
            if (pendingToken >= 0)
                AttendTile(scratch, QueryRow(pendingToken, pendingHead), (pendingToken - first) * _group + pendingHead % _group, pendingCount);
        }

        for (int token = first; token < end; token++)
            for (int g = 0; g < _group; g++)
                WriteOutput(scratch, (token - first) * _group + g, token, kvHead * _group + g);
    }

    /// <summary>Whether rows are paired: the pair kernels are 512-bit (two rows of 64 keys fill eight registers).</summary>
    private static readonly bool s_pairs = Vector512.IsHardwareAccelerated;

    /// <summary>
    /// <see cref="AttendTile"/> for two rows at once (their own queries and key counts): the same operations per row,
    /// the loads of keys and values shared.
    /// </summary>
    private void AttendTilePair(Scratch scratch, ReadOnlySpan<float> q0, int row0, int count0, ReadOnlySpan<float> q1, int row1, int count1)
    {
        ScoresPair(scratch.KeysByDimension, q0, q1, 1.0f / MathF.Sqrt(_c.KeyHeadDim), scratch.Scores, scratch.PairScores);
        var acc0 = Softmax(scratch, scratch.Scores, row0, count0);
        var acc1 = Softmax(scratch, scratch.PairScores, row1, count1);
        AccumulateValuesPair(scratch.Values, scratch.Scores, count0, acc0, scratch.PairScores, count1, acc1);
    }

    /// <summary>One query row over the current tile's first <paramref name="count"/> keys: the online-softmax step.</summary>
    private void AttendTile(Scratch scratch, ReadOnlySpan<float> q, int row, int count)
    {
        var scores = scratch.Scores;
        Scores(scratch.KeysByDimension, q, 1.0f / MathF.Sqrt(_c.KeyHeadDim), scores);
        var acc = Softmax(scratch, scores, row, count);
        AccumulateValues(scratch.Values, scores, count, acc);
    }

    /// <summary>
    /// Advances row <paramref name="row"/>'s running maximum and sum over the tile's scores, rescales its accumulator
    /// on a new maximum, and turns the scores into the tile's weights; returns the accumulator.
    /// </summary>
    private Span<float> Softmax(Scratch scratch, float[] scores, int row, int count)
    {
        float tileMax = MaxOf(scores, count);
        var acc = scratch.Accumulators.AsSpan(row * _c.ValueHeadDim, _c.ValueHeadDim);
        float max = scratch.Max[row], sum = scratch.Sum[row];
        float newMax = MathF.Max(max, tileMax);
        if (newMax > max)
        {
            float ms = MathF.Exp(max - newMax);
            Scale(acc, ms);
            sum *= ms;
        }
        scratch.Max[row] = newMax;
        scratch.Sum[row] = (float)(sum + TiledSoftmax.ExponentiateTile(scores, count, newMax));
        return acc;
    }

    /// <summary>Widens keys tile…tile+count of one KV head to float, stored dimension-major; unused key slots are zero.</summary>
    private void WidenKeys(Scratch scratch, int kvHead, int tile, int count)
    {
        int keyDim = _c.KeyHeadDim;
        var keys = _cache.Keys(_layer, tile + count);
        var keyRow = scratch.KeyRow;
        var byDimension = scratch.KeysByDimension;
        for (int j = 0; j < KeyTile; j++)
        {
            if (j < count)
                HalfConvert.HalfToSingle(keys.Slice((tile + j) * _cache.KeyWidth + kvHead * keyDim, keyDim), keyRow);
            else if (j == count)
                Array.Clear(keyRow); // the slots past the cache's end score zero (and are never read)
            for (int d = 0; d < keyDim; d++)
                byDimension[d * KeyTile + j] = keyRow[d];
        }
    }

    /// <summary>Widens values tile…tile+count of one KV head to float, key-major.</summary>
    private void WidenValues(Scratch scratch, int kvHead, int tile, int count)
    {
        int valueDim = _c.ValueHeadDim;
        var values = _cache.Values(_layer, tile + count);
        for (int j = 0; j < count; j++)
            HalfConvert.HalfToSingle(values.Slice((tile + j) * _cache.ValueWidth + kvHead * valueDim, valueDim),
                scratch.Values.AsSpan(j * valueDim, valueDim));
    }

    /// <summary>
    /// scores[j] = (Σ_d fma in order over d of key_j[d]·q[d]) · scale for all 64 key slots: lane j of vector
    /// (j / 8) runs key j's FMA chain, so eight chains advance per instruction and eight vectors hide the latency.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scores(float[] keysByDimension, ReadOnlySpan<float> q, float scale, float[] scores)
    {
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        ref float k = ref MemoryMarshal.GetArrayDataReference(keysByDimension);
        for (int d = 0; d < q.Length; d++)
        {
            var qd = Vector256.Create(q[d]);
            ref float kd = ref Unsafe.Add(ref k, d * KeyTile);
            s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref kd, 0 * Lanes), qd, s0);
            s1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref kd, 1 * Lanes), qd, s1);
            s2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref kd, 2 * Lanes), qd, s2);
            s3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref kd, 3 * Lanes), qd, s3);
            s4 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref kd, 4 * Lanes), qd, s4);
            s5 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref kd, 5 * Lanes), qd, s5);
            s6 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref kd, 6 * Lanes), qd, s6);
            s7 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref kd, 7 * Lanes), qd, s7);
        }
        var sc = Vector256.Create(scale);
        ref float o = ref MemoryMarshal.GetArrayDataReference(scores);
        (s0 * sc).StoreUnsafe(ref o, 0 * Lanes);
        (s1 * sc).StoreUnsafe(ref o, 1 * Lanes);
        (s2 * sc).StoreUnsafe(ref o, 2 * Lanes);
        (s3 * sc).StoreUnsafe(ref o, 3 * Lanes);
        (s4 * sc).StoreUnsafe(ref o, 4 * Lanes);
        (s5 * sc).StoreUnsafe(ref o, 5 * Lanes);
        (s6 * sc).StoreUnsafe(ref o, 6 * Lanes);
        (s7 * sc).StoreUnsafe(ref o, 7 * Lanes);
    }

    /// <summary>
    /// scores0/1 as <see cref="Scores"/> gives them for q0 and q1: sixteen keys per 512-bit lane set, the two rows'
    /// eight chains interleaved so they hide each other's FMA latency.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScoresPair(float[] keysByDimension, ReadOnlySpan<float> q0, ReadOnlySpan<float> q1, float scale, float[] scores0, float[] scores1)
    {
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, t0 = default, t1 = default, t2 = default, t3 = default;
        ref float k = ref MemoryMarshal.GetArrayDataReference(keysByDimension);
        for (int d = 0; d < q0.Length; d++)
        {
            var x = Vector512.Create(q0[d]);
            var y = Vector512.Create(q1[d]);
            ref float kd = ref Unsafe.Add(ref k, d * KeyTile);
            var k0 = Vector512.LoadUnsafe(ref kd, 0);
            var k1 = Vector512.LoadUnsafe(ref kd, 16);
            var k2 = Vector512.LoadUnsafe(ref kd, 32);
            var k3 = Vector512.LoadUnsafe(ref kd, 48);
            s0 = Vector512.FusedMultiplyAdd(k0, x, s0);
            t0 = Vector512.FusedMultiplyAdd(k0, y, t0);
            s1 = Vector512.FusedMultiplyAdd(k1, x, s1);
            t1 = Vector512.FusedMultiplyAdd(k1, y, t1);
            s2 = Vector512.FusedMultiplyAdd(k2, x, s2);
            t2 = Vector512.FusedMultiplyAdd(k2, y, t2);
            s3 = Vector512.FusedMultiplyAdd(k3, x, s3);
            t3 = Vector512.FusedMultiplyAdd(k3, y, t3);
        }
        var sc = Vector512.Create(scale);
        ref float o = ref MemoryMarshal.GetArrayDataReference(scores0);
        (s0 * sc).StoreUnsafe(ref o, 0);
        (s1 * sc).StoreUnsafe(ref o, 16);
        (s2 * sc).StoreUnsafe(ref o, 32);
        (s3 * sc).StoreUnsafe(ref o, 48);
        ref float p = ref MemoryMarshal.GetArrayDataReference(scores1);
        (t0 * sc).StoreUnsafe(ref p, 0);
        (t1 * sc).StoreUnsafe(ref p, 16);
        (t2 * sc).StoreUnsafe(ref p, 32);
        (t3 * sc).StoreUnsafe(ref p, 48);
    }

    /// <summary>The largest of the first <paramref name="count"/> scores (IEEE maximum: order does not matter).</summary>
    private static float MaxOf(float[] scores, int count)
    {
        int j = 0;
        float max = float.NegativeInfinity;
        if (Vector512.IsHardwareAccelerated && count >= 16)
        {
            // Vector512.Max is IEEE maximum as MathF.Max (NaN wins, +0 above −0), so any grouping gives the same value.
            var m = Vector512.Create(float.NegativeInfinity);
            for (; j + 16 <= count; j += 16)
                m = Vector512.Max(m, Vector512.Create(scores.AsSpan(j, 16)));
            for (int l = 0; l < 16; l++)
                max = MathF.Max(max, m.GetElement(l));
        }
        for (; j < count; j++)
            max = MathF.Max(max, scores[j]);
        return max;
    }

    /// <summary>acc[d] ·= factor, lane-wise (exact in any width).</summary>
    private static void Scale(Span<float> acc, float factor)
    {
        var f = Vector256.Create(factor);
        ref float a = ref MemoryMarshal.GetReference(acc);
        for (int d = 0; d < acc.Length; d += Lanes)
            (Vector256.LoadUnsafe(ref a, (nuint)d) * f).StoreUnsafe(ref a, (nuint)d);
    }

    /// <summary>
    /// acc[d] = fma(value_j[d], p_j, acc[d]) for keys j = 0…count−1 in order: the accumulators stay in registers
    /// across the keys, 64 lanes at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateValues(float[] values, float[] weights, int count, Span<float> acc)
    {
        int valueDim = acc.Length, d = 0;
        ref float v = ref MemoryMarshal.GetArrayDataReference(values);
        ref float a = ref MemoryMarshal.GetReference(acc);
        for (; d + 8 * Lanes <= valueDim; d += 8 * Lanes)
            Accumulate64(ref Unsafe.Add(ref v, d), valueDim, weights, count, ref Unsafe.Add(ref a, d));
        for (; d < valueDim; d += Lanes)
        {
            var a0 = Vector256.LoadUnsafe(ref a, (nuint)d);
            for (int j = 0; j < count; j++)
                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref v, (nuint)(j * valueDim + d)), Vector256.Create(weights[j]), a0);
            a0.StoreUnsafe(ref a, (nuint)d);
        }
    }

    /// <summary>
    /// <see cref="AccumulateValues"/> for two rows over the same value rows: each row's lanes take their FMAs in key
    /// order as before, the keys both rows use share their loads, the longer row then finishes alone.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateValuesPair(float[] values, float[] weights0, int count0, Span<float> acc0, float[] weights1, int count1, Span<float> acc1)
    {
        int valueDim = acc0.Length, common = Math.Min(count0, count1);
        if (valueDim % 64 != 0)
        {
            AccumulateValues(values, weights0, count0, acc0);
            AccumulateValues(values, weights1, count1, acc1);
            return;
        }
        ref float v = ref MemoryMarshal.GetArrayDataReference(values);
        ref float a = ref MemoryMarshal.GetReference(acc0);
        ref float b = ref MemoryMarshal.GetReference(acc1);
        for (int d = 0; d < valueDim; d += 64)
            Accumulate64Pair(ref Unsafe.Add(ref v, d), valueDim, weights0, weights1, common, ref Unsafe.Add(ref a, d), ref Unsafe.Add(ref b, d));
        if (count0 > common)
            AccumulateRange(values, weights0, common, count0, acc0);
        if (count1 > common)
            AccumulateRange(values, weights1, common, count1, acc1);
    }

    /// <summary>acc[d] = fma(value_j[d], p_j, acc[d]) for keys j = first…end−1 in order (the tail of a pair's longer row).</summary>
    private static void AccumulateRange(float[] values, float[] weights, int first, int end, Span<float> acc)
    {
        int valueDim = acc.Length;
        ref float v = ref MemoryMarshal.GetArrayDataReference(values);
        ref float a = ref MemoryMarshal.GetReference(acc);
        for (int d = 0; d < valueDim; d += Lanes)
        {
            var a0 = Vector256.LoadUnsafe(ref a, (nuint)d);
            for (int j = first; j < end; j++)
                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref v, (nuint)(j * valueDim + d)), Vector256.Create(weights[j]), a0);
            a0.StoreUnsafe(ref a, (nuint)d);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate64Pair(ref float values, int stride, float[] weights0, float[] weights1, int count, ref float acc0, ref float acc1)
    {
        var a0 = Vector512.LoadUnsafe(ref acc0, 0);
        var a1 = Vector512.LoadUnsafe(ref acc0, 16);
        var a2 = Vector512.LoadUnsafe(ref acc0, 32);
        var a3 = Vector512.LoadUnsafe(ref acc0, 48);
        var b0 = Vector512.LoadUnsafe(ref acc1, 0);
        var b1 = Vector512.LoadUnsafe(ref acc1, 16);
        var b2 = Vector512.LoadUnsafe(ref acc1, 32);
        var b3 = Vector512.LoadUnsafe(ref acc1, 48);
        for (int j = 0; j < count; j++)
        {
            var p = Vector512.Create(weights0[j]);
            var r = Vector512.Create(weights1[j]);
            ref float vj = ref Unsafe.Add(ref values, j * stride);
            var v0 = Vector512.LoadUnsafe(ref vj, 0);
            var v1 = Vector512.LoadUnsafe(ref vj, 16);
            var v2 = Vector512.LoadUnsafe(ref vj, 32);
            var v3 = Vector512.LoadUnsafe(ref vj, 48);
            a0 = Vector512.FusedMultiplyAdd(v0, p, a0);
            b0 = Vector512.FusedMultiplyAdd(v0, r, b0);
            a1 = Vector512.FusedMultiplyAdd(v1, p, a1);
            b1 = Vector512.FusedMultiplyAdd(v1, r, b1);
            a2 = Vector512.FusedMultiplyAdd(v2, p, a2);
            b2 = Vector512.FusedMultiplyAdd(v2, r, b2);
            a3 = Vector512.FusedMultiplyAdd(v3, p, a3);
            b3 = Vector512.FusedMultiplyAdd(v3, r, b3);
        }
        a0.StoreUnsafe(ref acc0, 0);
        a1.StoreUnsafe(ref acc0, 16);
        a2.StoreUnsafe(ref acc0, 32);
        a3.StoreUnsafe(ref acc0, 48);
        b0.StoreUnsafe(ref acc1, 0);
        b1.StoreUnsafe(ref acc1, 16);
        b2.StoreUnsafe(ref acc1, 32);
        b3.StoreUnsafe(ref acc1, 48);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate64(ref float values, int stride, float[] weights, int count, ref float acc)
    {
        var a0 = Vector256.LoadUnsafe(ref acc, 0 * Lanes);
        var a1 = Vector256.LoadUnsafe(ref acc, 1 * Lanes);
        var a2 = Vector256.LoadUnsafe(ref acc, 2 * Lanes);
        var a3 = Vector256.LoadUnsafe(ref acc, 3 * Lanes);
        var a4 = Vector256.LoadUnsafe(ref acc, 4 * Lanes);
        var a5 = Vector256.LoadUnsafe(ref acc, 5 * Lanes);
        var a6 = Vector256.LoadUnsafe(ref acc, 6 * Lanes);
        var a7 = Vector256.LoadUnsafe(ref acc, 7 * Lanes);
        for (int j = 0; j < count; j++)
        {
            var p = Vector256.Create(weights[j]);
            ref float vj = ref Unsafe.Add(ref values, j * stride);
            a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref vj, 0 * Lanes), p, a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref vj, 1 * Lanes), p, a1);
            a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref vj, 2 * Lanes), p, a2);
            a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref vj, 3 * Lanes), p, a3);
            a4 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref vj, 4 * Lanes), p, a4);
            a5 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref vj, 5 * Lanes), p, a5);
            a6 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref vj, 6 * Lanes), p, a6);
            a7 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref vj, 7 * Lanes), p, a7);
        }
        a0.StoreUnsafe(ref acc, 0 * Lanes);
        a1.StoreUnsafe(ref acc, 1 * Lanes);
        a2.StoreUnsafe(ref acc, 2 * Lanes);
        a3.StoreUnsafe(ref acc, 3 * Lanes);
        a4.StoreUnsafe(ref acc, 4 * Lanes);
        a5.StoreUnsafe(ref acc, 5 * Lanes);
        a6.StoreUnsafe(ref acc, 6 * Lanes);
        a7.StoreUnsafe(ref acc, 7 * Lanes);
    }

    private ReadOnlySpan<float> QueryRow(int token, int head) =>
        _q.AsSpan((token * _c.HeadCount + head) * _c.KeyHeadDim, _c.KeyHeadDim);

    private void WriteOutput(Scratch scratch, int row, int token, int head)
    {
        int valueDim = _c.ValueHeadDim;
        var acc = scratch.Accumulators.AsSpan(row * valueDim, valueDim);
        var output = _output.AsSpan((token * _c.HeadCount + head) * valueDim, valueDim);
        float sum = scratch.Sum[row];
        float inv = sum == 0 ? 0 : 1.0f / sum;
        for (int d = 0; d < valueDim; d++)
            output[d] = acc[d] * inv;
    }
}
