using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>The prompt path for Q4_0 weights with exact per-block sums (<see cref="MatMulQ4_0Blocks"/>).</summary>
public sealed unsafe partial class MatMul
{
    private bool _blockSums; // this call takes MatMulQ4_0Blocks

    /// <summary>
    /// When true, every (row, token) output is computed as <see cref="VecDot.Dot"/> computes it, whatever the batch:
    /// a decode step of several sequences sets it, so that a sequence's logits never depend on what it is batched with.
    /// When false (the default), Q4_0 batches of more than <see cref="MaxFewTokens"/> tokens (prompts) take
    /// <see cref="MatMulQ4_0Blocks"/>: exact per-block sums as <see cref="Q4_0BlockDot.Dot"/> defines them, more than
    /// twice as fast as the lane sums; they differ from <see cref="VecDot.Dot"/> only in the last bits (as llama.cpp's own
    /// prompt kernels differ from its one-token ones).
    /// </summary>
    public bool BatchInvariant { get; set; }

    /// <summary>
    /// Whether a product of this many tokens with a row-major matrix computes <see cref="Q4_0BlockDot.Dot"/> (true) or
    /// <see cref="VecDot.Dot"/> (false) per output, on this machine and with the current <see cref="BatchInvariant"/>.
    /// (Regrouped Q4_0 matrices, <see cref="WeightLayout.Q4_0Interleaved"/>, always compute block sums.)
    /// </summary>
    public bool UsesBlockSums(GgmlType type, int tokens) =>
        type == GgmlType.Q4_0 && tokens > MaxFewTokens && !BatchInvariant && MatMulQ4_0Blocks.IsSupported;

    /// <summary>Per-worker scratch for a panel of unpacked weights (the activations were laid out with their quantization).</summary>
    private void PrepareBlockSums(in WeightMatrix w, int workers)
    {
        int scratch = MatMulQ4_0Blocks.ScratchFloats(w.Columns / 32);
        if (_rowScales.Length < workers || _rowScales[0].Length < scratch)
            _rowScales = PinnedRows(workers, scratch);
    }

    private void RunBlockSums(int worker, int start, int end)
    {
        var w = _weights;
        fixed (byte* p = _prepared)
        fixed (float* scratch = _rowScales[worker])
            MatMulQ4_0Blocks.Run(w.Data, w.RowBytes, start, end, w.Columns / 32, p, _tokens, _y, w.Rows, scratch);
    }
}
