namespace Wallfacer.Numerics.Kernels;

/// <summary>The path for interleaved Q4_0 weights (<see cref="MatMulQ4_0Interleaved"/>), any number of tokens.</summary>
public sealed unsafe partial class MatMul
{
    private bool _interleaved;                 // this call's weights are Q4_0Interleaved
    private int[] _blockCorrections = [];      // (tokens, blocks) 8·Σa, pinned; the scales go to _activationScales

    /// <summary>Room for the per-token block constants that <see cref="ActivationWork"/> fills.</summary>
    private void ReserveInterleaved(in WeightMatrix w, int tokens)
    {
        long needed = (long)tokens * (w.Columns / 32);
        if (_activationScales.Length < needed)
            _activationScales = GC.AllocateUninitializedArray<float>(checked((int)needed), pinned: true);
        if (_blockCorrections.Length < needed)
            _blockCorrections = GC.AllocateUninitializedArray<int>(checked((int)needed), pinned: true);
    }

    /// <summary>Token <paramref name="t"/>'s block constants, right after its quantization.</summary>
    private void PrepareInterleavedToken(byte* a, int t)
    {
        fixed (float* dx = _activationScales)
        fixed (int* corrections = _blockCorrections)
            MatMulQ4_0Interleaved.PrepareTokens(a, _activationRowBytes, _weights.Columns / 32, dx, corrections, t, t + 1);
    }

    /// <summary>Groups of 16 rows [<paramref name="start"/>, <paramref name="end"/>).</summary>
    private void RunInterleaved(int start, int end)
    {
        var w = _weights;
        fixed (float* dx = _activationScales)
        fixed (int* corrections = _blockCorrections)
            MatMulQ4_0Interleaved.Run(w.Data, w.Rows, w.Columns / 32, start, end, _x, _activationRowBytes, dx, corrections, _tokens, _y, w.Rows);
    }
}
