using Wallfacer.Numerics.Quants;
using Wallfacer.Numerics.Threading;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// <c>y = x · Wᵀ</c> for a batch of activation rows: <c>y[t, r] = dot(W[r], x[t])</c>. As in llama.cpp the
/// activations are first converted to the weight type's partner (<see cref="VecDot.ActivationType"/>: Q8_0,
/// Q8_1, Q8_K, F16, …) so the inner products can run on integers. Work is split by output rows; each
/// output is computed by exactly one thread in a fixed order, so results do not depend on the thread count.
/// One instance per session: it owns the activation scratch and allocates nothing per call once warm.
/// </summary>
public sealed unsafe class MatMul : IParallelWork
{
    private byte[] _activations = [];   // (tokens, activation row bytes), pinned
    private WeightMatrix _weights;
    private int _tokens;
    private int _activationRowBytes;
    private GgmlType _activationType;
    private float* _y;
    private byte* _x;
    private bool _llamaCppFloatOrder;
    private bool _q4_0Tiles;
    private float[] _activationScales = [];  // (tokens, blocks) for the Q4_0 tiles, pinned
    private float[][] _rowScales = [];       // per worker: 4 rows of weight block scales, pinned

    /// <summary>Computes <paramref name="y"/> (tokens × W.Rows) from <paramref name="x"/> (tokens × W.Columns).</summary>
    public void Multiply(in WeightMatrix w, ReadOnlySpan<float> x, Span<float> y, int tokens, WorkerPool pool)
    {
        if (x.Length < (long)tokens * w.Columns || y.Length < (long)tokens * w.Rows)
            throw new ArgumentException($"Buffers too small for {tokens} tokens × ({w.Rows}×{w.Columns}) weights.");
        PrepareActivations(w, x, tokens);
        fixed (byte* a = _activations)
        fixed (float* py = y)
        {
            _weights = w;
            _tokens = tokens;
            _llamaCppFloatOrder = GgmlFloatDot.Covers(w.Type);
            _q4_0Tiles = w.Type == GgmlType.Q4_0 && MatMulQ4_0Avx512.IsSupported;
            if (_q4_0Tiles)
                PrepareQ4_0Tiles(w, tokens, pool.ThreadCount);
            _y = py;
            _x = a;
            pool.Run(this, w.Rows);
            _y = null;
            _x = null;
        }
    }

    private void PrepareActivations(in WeightMatrix w, ReadOnlySpan<float> x, int tokens)
    {
        _activationType = VecDot.ActivationType(w.Type);
        _activationRowBytes = checked((int)GgmlTypeInfo.RowBytes(_activationType, w.Columns));
        long needed = (long)_activationRowBytes * tokens;
        if (_activations.Length < needed)
            _activations = GC.AllocateUninitializedArray<byte>(checked((int)needed), pinned: true);
        for (int t = 0; t < tokens; t++)
        {
            Quantizer.QuantizeActivationRow(_activationType, x.Slice(t * w.Columns, w.Columns),
                _activations.AsSpan(t * _activationRowBytes, _activationRowBytes));
        }
    }

    /// <summary>Block scales of the activations as floats, and per-worker room for weight scales.</summary>
    private void PrepareQ4_0Tiles(in WeightMatrix w, int tokens, int workers)
    {
        int blocks = w.Columns / 32;
        if (_activationScales.Length < tokens * blocks)
            _activationScales = GC.AllocateUninitializedArray<float>(tokens * blocks, pinned: true);
        for (int t = 0; t < tokens; t++)
            for (int b = 0; b < blocks; b++)
                _activationScales[t * blocks + b] = HalfConvert.HalfToSingle(
                    BitConverter.ToUInt16(_activations, t * _activationRowBytes + b * 34));
        int scratch = MatMulQ4_0Avx512.ScratchFloats(blocks);
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
        if (_q4_0Tiles)
        {
            fixed (float* dx = _activationScales)
            fixed (float* dw = _rowScales[worker])
                MatMulQ4_0Avx512.Run(w.Data, w.RowBytes, start, end, w.Columns / 32, _x, _activationRowBytes, dx, _tokens, _y, w.Rows, dw);
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
