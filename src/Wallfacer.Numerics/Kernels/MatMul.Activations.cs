using System.Runtime.Intrinsics;
using Wallfacer.Numerics.Quants;
using Wallfacer.Numerics.Threading;

namespace Wallfacer.Numerics.Kernels;

public sealed unsafe partial class MatMul
{
    private ActivationWork? _activationWork;

    /// <summary>
    /// Quantizes the activation rows into <paramref name="a"/> and, for the prompt kernels, lays them out for
    /// <see cref="MatMulQ8Tiles{TFormat, TUnpacked}"/> or <see cref="MatMulQ4_0Blocks"/> in the same pass (while the row is in L1). A batch longer than
    /// <see cref="MaxFewTokens"/> shares the tokens over the pool: run alone, this pass took as long as a fifth of the
    /// prompt kernel's time at two threads. Each token is quantized by exactly one worker, so the bytes do not depend
    /// on the thread count.
    /// </summary>
    private void PrepareActivations(in WeightMatrix w, float* x, int tokens, byte* a, WorkerPool pool)
    {
        int items = tokens;
        if (_blockSums)
        {
            long needed = MatMulQ4_0Blocks.PreparedBytes(tokens, w.Columns / 32);
            if (_prepared.Length < needed)
                _prepared = GC.AllocateUninitializedArray<byte>(checked((int)needed), pinned: true);
            items = MatMulQ4_0Blocks.PaddedTokens(tokens) / MatMulQ4_0Blocks.GroupTokens; // a group's records are one worker's
        }
        else if (_promptTiles)
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
            work.Set(this, w.Columns, x, tokens, a, _promptTiles || _blockSums ? prepared : null);
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
        private byte* _prepared;   // MatMulQ8Tiles or MatMulQ4_0Blocks layout, or null when neither runs

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
            if (m._blockSums)
            {
                // Items are groups of 16 tokens: the tokens of a group write interleaved into the same records, so two
                // workers sharing a group would fight over every cache line of it.
                start *= MatMulQ4_0Blocks.GroupTokens;
                end *= MatMulQ4_0Blocks.GroupTokens;
            }
            for (int t = start; t < Math.Min(end, _tokens); t++)
            {
                Quantizer.QuantizeActivationRow(m._activationType, new ReadOnlySpan<float>(_x + (long)t * _columns, _columns),
                    new Span<byte>(_a + (long)t * rowBytes, rowBytes));
                if (m._interleaved)
                    m.PrepareInterleavedToken(_a, t);
            }
            if (_prepared == null)
                return;
            // Tokens past _tokens are the tiles' zero padding.
            if (m._blockSums)
            {
                for (int t = start; t < end; t++)
                    MatMulQ4_0Blocks.PrepareToken(_a + (long)t * rowBytes, t, _tokens, _columns / 32, _prepared);
            }
            else if (m._tiles == PairTiles.Q4_0)
                MatMulQ8Tiles<Q4_0Tiles, Vector512<byte>>.Prepare(_a, rowBytes, _tokens, _columns / 32, _prepared, start, end);
            else
                MatMulQ8Tiles<Q8_0Tiles, Q8_0Unpacked>.Prepare(_a, rowBytes, _tokens, _columns / 32, _prepared, start, end);
        }
    }
}
