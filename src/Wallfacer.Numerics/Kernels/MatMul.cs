using System.Runtime.Intrinsics;
using Wallfacer.Numerics.Quants;
using Wallfacer.Numerics.Threading;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// <c>y = x · Wᵀ</c> for a batch of activation rows: <c>y[t, r] = dot(W[r], x[t])</c>. As in llama.cpp the
/// activations are first converted to the weight type's partner (<see cref="VecDot.ActivationType"/>: Q8_0,
/// Q8_1, Q8_K, F16, …) so the inner products can run on integers. Work is split by output rows; each
/// output is computed by exactly one thread in a fixed order, so results do not depend on the thread count.
/// Q4_0 and Q8_0 weights use tiled AVX-512 kernels: <see cref="MatVecQ8Rows{TFormat, TActivation}"/> for one
/// token (generation streams every weight once per token, so it is tuned for bandwidth),
/// <see cref="MatMulFewTokens{TFormat, TWeights}"/> for 2–<see cref="MaxFewTokens"/> tokens (a continuous batch's decode
/// step: each weight block is read once for all of them) and, for longer batches (prompts), <see cref="MatMulQ4_0Blocks"/>
/// (Q4_0: exact per-block sums, <see cref="Q4_0BlockDot"/>) or <see cref="MatMulQ8Tiles{TFormat, TUnpacked}"/> (Q8_0, and
/// Q4_0 when <see cref="BatchInvariant"/>). Q5_0, Q4_K and Q6_K weights (the Q4_K_M mix) take the one-token row kernels of
/// <see cref="MatVecDispatch"/> for up to <see cref="MaxFewTokens"/> tokens (once per token over each chunk of rows)
/// and <see cref="MatMulLaneTiles{TFormat}"/> for prompts. All but the Q4_0 block sums are bit-identical to
/// <see cref="VecDot.Dot"/>; with <see cref="BatchInvariant"/> set (decode steps of several sequences) all are, so a
/// sequence's logits do not depend on what it is batched with.
/// One instance per session: it owns the activation scratch and allocates nothing per call once warm.
/// </summary>
public sealed unsafe partial class MatMul : IParallelWork
{
    private byte[] _activations = [];   // (tokens, activation row bytes), pinned
    private WeightMatrix _weights;
    private int _tokens;
    private int _activationRowBytes;
    private GgmlType _activationType;
    private float* _y;
    private byte* _x;
    private bool _llamaCppFloatOrder;
    private PairTiles _tiles;
    private bool _matVec;                    // one token (generation): MatVecQ8Rows instead of the tiles
    private bool _fewTokens;                 // 2..MaxFewTokens tokens (batched decode): MatMulFewTokens
    private bool _promptTiles;               // longer batches (prompts): MatMulQ8Tiles
    private LaneTiles _laneTiles;            // longer batches of Q5_0/Q4_K/Q6_K weights: MatMulLaneTiles
    private byte[] _prepared = [];           // (tokens, pairs, MatMulFewTokens.PairBytes) + block scales, pinned
    private float[] _activationScales = [];  // (tokens, blocks) as floats for the pair tiles and the interleaved kernel, pinned
    private float[][] _rowScales = [];       // per worker: 4 rows of weight block scales (and few-token scratch), pinned
    private readonly MatVecDispatch _rows = new(); // Q5_0/Q4_K/Q6_K (the Q4_K_M mix), any token count
    private bool _rowKernel;                 // _rows covers the type (and no lane tiles were asked for)

    /// <summary>Most tokens that take the few-token kernel; longer batches take the prompt tiles.</summary>
    public const int MaxFewTokens = 8;

    /// <summary>Computes <paramref name="y"/> (tokens × W.Rows) from <paramref name="x"/> (tokens × W.Columns).</summary>
    public void Multiply(in WeightMatrix w, ReadOnlySpan<float> x, Span<float> y, int tokens, WorkerPool pool)
    {
        if (x.Length < (long)tokens * w.Columns || y.Length < (long)tokens * w.Rows)
            throw new ArgumentException($"Buffers too small for {tokens} tokens × ({w.Rows}×{w.Columns}) weights.");
        ReserveActivations(w, tokens);
        fixed (byte* a = _activations)
        fixed (float* px = x)
        fixed (float* py = y)
        {
            _weights = w;
            _tokens = tokens;
            // Regrouped Q4_0 weights take MatMulQ4_0Interleaved for any token count; every other kernel stays off.
            _interleaved = w.Layout == WeightLayout.Q4_0Interleaved;
            _llamaCppFloatOrder = GgmlFloatDot.Covers(w.Type);
            _tiles = w.Layout == WeightLayout.RowMajor ? TilesFor(w.Type) : PairTiles.None;
            _matVec = tokens == 1 && _tiles != PairTiles.None && MatVecQ8Rows<Q4_0MatVec, Q4_0MatVecActivation>.IsSupported;
            // Sliced Q5_0 and grouped Q8_0 weights have only the row kernels (MatVecDispatch), for any token count.
            _laneTiles = tokens > MaxFewTokens && w.Layout == WeightLayout.RowMajor ? LaneTilesFor(w.Type) : LaneTiles.None;
            // Q5_0/Q4_K/Q6_K without lane tiles (few tokens, or a test turned them off): the one-token row kernels, once
            // per token over each claimed chunk of rows (the chunk stays in cache between tokens).
            _rowKernel = _laneTiles == LaneTiles.None && MatVecDispatch.Covers(w.Type);
            if (w.Layout == WeightLayout.Q5_0Sliced && (!_rowKernel || !Q5_0Sliced.PreferredForOneSequence))
                throw new NotSupportedException("Sliced Q5_0 weights need the AVX2 row kernels, which this machine does not run.");
            if (w.Layout == WeightLayout.Q8_0Grouped && (!_rowKernel || !Q8_0Grouped.PreferredForOneSequence))
                throw new NotSupportedException("Grouped Q8_0 weights need the AVX2 row kernels, which this machine does not run.");
            _fewTokens = tokens is > 1 and <= MaxFewTokens && _tiles != PairTiles.None && MatMulFewTokens<Q4_0FewTokens, Vector512<byte>>.IsSupported;
            _blockSums = !_interleaved && UsesBlockSums(w.Type, tokens);
            _promptTiles = !_matVec && !_fewTokens && !_blockSums && _tiles != PairTiles.None;
            if (_interleaved)
                ReserveInterleaved(w, tokens);
            PrepareActivations(w, px, tokens, a, pool);
            if (_rowKernel)
                _rows.Prepare(w.Type, a, _activationRowBytes, tokens, w.Columns);
            if (_laneTiles != LaneTiles.None)
                PrepareLaneTiles(w, tokens, a, pool.ThreadCount);
            else if (_blockSums)
                PrepareBlockSums(w, pool.ThreadCount);
            else if (_fewTokens)
                PrepareFewTokens(w, tokens, a, pool.ThreadCount);
            else if (_promptTiles)
                PreparePromptTiles(w, tokens, a, pool.ThreadCount);
            else if (_tiles != PairTiles.None)
                PreparePairTiles(w, tokens, pool.ThreadCount);
            _y = py;
            _x = a;
            pool.Run(this, _interleaved ? Q4_0Interleaved.Groups(w.Rows) : w.Rows); // the interleaved kernel's items are groups of 16 rows
            _y = null;
            _x = null;
        }
    }

    /// <summary>Sizes the activation buffer for <paramref name="tokens"/> rows of the weights' activation type.</summary>
    private void ReserveActivations(in WeightMatrix w, int tokens)
    {
        _activationType = VecDot.ActivationType(w.Type);
        _activationRowBytes = checked((int)GgmlTypeInfo.RowBytes(_activationType, w.Columns));
        long needed = (long)_activationRowBytes * tokens;
        if (_activations.Length < needed)
            _activations = GC.AllocateUninitializedArray<byte>(checked((int)needed), pinned: true);
    }

    /// <summary>Weight types with a tiled kernel (<see cref="MatMulQ8Tiles{TFormat, TUnpacked}"/>) on this machine.</summary>
    private enum PairTiles { None, Q4_0, Q8_0 }

    private static PairTiles TilesFor(GgmlType type) => type switch
    {
        GgmlType.Q4_0 when MatMulQ8Tiles<Q4_0Tiles, Vector512<byte>>.IsSupported => PairTiles.Q4_0,
        GgmlType.Q8_0 when MatMulQ8Tiles<Q8_0Tiles, Q8_0Unpacked>.IsSupported => PairTiles.Q8_0,
        _ => PairTiles.None,
    };

    /// <summary>Block scales of the activations as floats, and per-worker room for weight scales.</summary>
    private void PreparePairTiles(in WeightMatrix w, int tokens, int workers)
    {
        int blocks = w.Columns / 32;
        // MatVecQ8Rows reads the scales 16 blocks at a time: pad with zeros (scale 0 for absent blocks).
        int padded = tokens * blocks + 16;
        if (_activationScales.Length < padded)
            _activationScales = GC.AllocateUninitializedArray<float>(padded, pinned: true);
        for (int t = 0; t < tokens; t++)
            for (int b = 0; b < blocks; b++)
                _activationScales[t * blocks + b] = HalfConvert.HalfToSingle(
                    BitConverter.ToUInt16(_activations, t * _activationRowBytes + b * 34));
        _activationScales.AsSpan(tokens * blocks, 16).Clear();
    }

    /// <summary>Per-worker weight-scale room for <see cref="MatMulQ8Tiles{TFormat, TUnpacked}"/> (the activations were laid out with their quantization).</summary>
    private void PreparePromptTiles(in WeightMatrix w, int tokens, byte* act, int workers)
    {
        int blocks = w.Columns / 32;
        int scratch = _tiles == PairTiles.Q4_0
            ? MatMulQ8Tiles<Q4_0Tiles, Vector512<byte>>.ScratchFloats(blocks)
            : MatMulQ8Tiles<Q8_0Tiles, Q8_0Unpacked>.ScratchFloats(blocks);
        if (_rowScales.Length < workers || _rowScales[0].Length < scratch)
            _rowScales = PinnedRows(workers, scratch);
    }

    /// <summary>The activation rows laid out as block pairs for <see cref="MatMulFewTokens{TFormat, TWeights}"/>.</summary>
    private void PrepareFewTokens(in WeightMatrix w, int tokens, byte* act, int workers)
    {
        int blocks = w.Columns / 32;
        long needed = MatMulFewTokens<Q4_0FewTokens, Vector512<byte>>.PreparedBytes(tokens, blocks);
        if (_prepared.Length < needed)
            _prepared = GC.AllocateUninitializedArray<byte>(checked((int)needed), pinned: true);
        fixed (byte* p = _prepared)
        {
            if (_tiles == PairTiles.Q4_0)
                MatMulFewTokens<Q4_0FewTokens, Vector512<byte>>.Prepare(act, _activationRowBytes, tokens, blocks, p);
            else
                MatMulFewTokens<Q8_0FewTokens, Q8_0Unpacked>.Prepare(act, _activationRowBytes, tokens, blocks, p);
        }
        int scratch = MatMulFewTokens<Q4_0FewTokens, Vector512<byte>>.ScratchFloats(blocks);
        if (_rowScales.Length < workers || _rowScales[0].Length < scratch)
            _rowScales = PinnedRows(workers, scratch);
    }

    // Separate so the lambda's closure is allocated only when growing, not on every call.
    private static float[][] PinnedRows(int count, int length) =>
        Enumerable.Range(0, count).Select(_ => GC.AllocateUninitializedArray<float>(length, pinned: true)).ToArray();

    /// <inheritdoc />
    public void Execute(int worker, int start, int end)
    {
        var w = _weights;
        if (_interleaved)
        {
            RunInterleaved(start, end);
            return;
        }
        if (_rowKernel)
        {
            _rows.Run(w, start, end, _x, _activationRowBytes, _tokens, _y);
            return;
        }
        if (_fewTokens)
        {
            fixed (byte* p = _prepared)
            fixed (float* scratch = _rowScales[worker])
            {
                if (_tiles == PairTiles.Q4_0)
                    MatMulFewTokens<Q4_0FewTokens, Vector512<byte>>.Run(w.Data, w.RowBytes, start, end, w.Columns / 32, p, _tokens, _y, w.Rows, _x, _activationRowBytes, scratch, w.Rows);
                else
                    MatMulFewTokens<Q8_0FewTokens, Q8_0Unpacked>.Run(w.Data, w.RowBytes, start, end, w.Columns / 32, p, _tokens, _y, w.Rows, _x, _activationRowBytes, scratch, w.Rows);
            }
            return;
        }
        if (_laneTiles != LaneTiles.None)
        {
            RunLaneTiles(worker, start, end);
            return;
        }
        if (_blockSums)
        {
            RunBlockSums(worker, start, end);
            return;
        }
        if (_promptTiles)
        {
            fixed (byte* p = _prepared)
            fixed (float* scratch = _rowScales[worker])
            {
                if (_tiles == PairTiles.Q4_0)
                    MatMulQ8Tiles<Q4_0Tiles, Vector512<byte>>.Run(w.Data, w.RowBytes, start, end, w.Columns / 32, p, _tokens, _y, w.Rows, scratch);
                else
                    MatMulQ8Tiles<Q8_0Tiles, Q8_0Unpacked>.Run(w.Data, w.RowBytes, start, end, w.Columns / 32, p, _tokens, _y, w.Rows, scratch);
            }
            return;
        }
        if (_tiles != PairTiles.None)
        {
            fixed (float* dx = _activationScales)
            {
                if (_tiles == PairTiles.Q4_0)
                    MatVecQ8Rows<Q4_0MatVec, Q4_0MatVecActivation>.Run(w.Data, w.RowBytes, start, end, w.Rows, w.Columns / 32, _x, dx, _y);
                else
                    MatVecQ8Rows<Q8_0MatVec, Q8_0MatVecActivation>.Run(w.Data, w.RowBytes, start, end, w.Rows, w.Columns / 32, _x, dx, _y);
            }
            return;
        }
        for (int r = start; r < end; r++)
        {
            var row = new ReadOnlySpan<byte>(w.Data + (long)r * w.RowBytes, w.RowBytes);
            for (int t = 0; t < _tokens; t++)
            {
                var act = new ReadOnlySpan<byte>(_x + (long)t * _activationRowBytes, _activationRowBytes);
                _y[(long)t * w.Rows + r] = _llamaCppFloatOrder
                    ? GgmlFloatDot.Dot(w.Type, row, act, w.Columns, batched: _tokens > 1)
                    : VecDot.Dot(w.Type, row, act, w.Columns);
            }
        }
    }
}
