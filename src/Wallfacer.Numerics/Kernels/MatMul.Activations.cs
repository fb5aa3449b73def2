using System.Runtime.Intrinsics;
using Wallfacer.Numerics.Quants;
using Wallfacer.Numerics.Threading;

namespace Wallfacer.Numerics.Kernels;

public sealed unsafe partial class MatMul
{
    private ActivationWork? _activationWork;

    /// <summary>
    /// Quantizes the activation rows into <paramref name="a"/> and, for the prompt tiles, lays them out for
    /// <see cref="MatMulQ8Tiles{TFormat, TUnpacked}"/> in the same pass (while the row is in L1). A batch longer than
    /// <see cref="MaxFewTokens"/> shares the tokens over the pool: run alone, this pass took as long as a fifth of the
    /// prompt kernel's time at two threads. Each token is quantized by exactly one worker, so the bytes do not depend
    /// on the thread count.
    /// </summary>
    private void PrepareActivations(in WeightMatrix w, float* x, int tokens, byte* a, WorkerPool pool)
    {
        int items = tokens;
        if (_promptTiles)
        {
            int blocks = w.Columns / 32;
            long needed = MatMulQ8Tiles<Q4_0Tiles, Vector512<byte>>.PreparedBytes(tokens, blocks);
            if (_prepared.Length < needed)
                _prepared = GC.AllocateUninitializedArray<byte>(checked((int)needed), pinned: true);
            items = MatMulQ8Tiles<Q4_0Tiles, Vector512<byte>>.PaddedTokens(tokens);
        }
        fixed (byte* prepared = _prepared)
        {
            var work = _activationWork ??= new ActivationWork();
            work.Set(this, w.Columns, x, tokens, a, _promptTiles ? prepared : null);
            if (tokens > MaxFewTokens && pool.ThreadCount > 1)
                pool.Run(work, items);
            else
                work.Execute(0, 0, items);
            work.Clear();
        }
    }

    /// <summary>One token's activation row quantized (and laid out for the prompt tiles) per item.</summary>
    private sealed class ActivationWork : IParallelWork
    {
        private MatMul? _owner;
        private int _columns;
        private float* _x;         // (tokens, columns)
        private int _tokens;
        private byte* _a;          // (tokens, activation row bytes)
        private byte* _prepared;   // MatMulQ8Tiles layout, or null when the prompt tiles do not run

        public void Set(MatMul owner, int columns, float* x, int tokens, byte* a, byte* prepared)
        {
            _owner = owner;
            _columns = columns;
            _x = x;
            _tokens = tokens;
            _a = a;
            _prepared = prepared;
        }

        public void Clear()
        {
            _owner = null;
            _x = null;
            _a = null;
            _prepared = null;
        }

        /// <inheritdoc />
        public void Execute(int worker, int start, int end)
        {
            var m = _owner!;
            int rowBytes = m._activationRowBytes;
            for (int t = start; t < Math.Min(end, _tokens); t++)
            {
                Quantizer.QuantizeActivationRow(m._activationType, new ReadOnlySpan<float>(_x + (long)t * _columns, _columns),
                    new Span<byte>(_a + (long)t * rowBytes, rowBytes));
            }
            if (_prepared == null)
                return;
            // Tokens past _tokens are the tiles' zero padding.
            if (m._tiles == PairTiles.Q4_0)
                MatMulQ8Tiles<Q4_0Tiles, Vector512<byte>>.Prepare(_a, rowBytes, _tokens, _columns / 32, _prepared, start, end);
            else
                MatMulQ8Tiles<Q8_0Tiles, Q8_0Unpacked>.Prepare(_a, rowBytes, _tokens, _columns / 32, _prepared, start, end);
        }
    }
}
