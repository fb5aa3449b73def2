using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>The prompt path for Q5_0, Q4_K and Q6_K weights (<see cref="MatMulLaneTiles{TFormat}"/>).</summary>
public sealed unsafe partial class MatMul
{
    /// <summary>Weight types with a prompt kernel that keeps VecDot's 8-lane order (<see cref="MatMulLaneTiles{TFormat}"/>).</summary>
    private enum LaneTiles { None, Q5_0, Q4_K, Q6_K }

    /// <summary>
    /// Lets prompts take <see cref="MatMulLaneTiles{TFormat}"/>. Off by default: the lane tiles reproduce the 256-bit
    /// dot products (8 float lanes per token), but wherever they run (AVX-512) <see cref="VecDot.Dot"/> for Q5_0, Q4_K
    /// and Q6_K now takes the 512-bit path that the one-token row kernels (<see cref="MatVecDispatch"/>) share. Using
    /// the tiles would make a prompt chunk's logits differ in the last bits from the same tokens decoded one at a
    /// time (or riding a continuous batch). Until the tiles follow the 512-bit lane order, only tests turn this on
    /// (they compare the tiles with the 256-bit path). K-quant prompts meanwhile take one 512-bit dot product per
    /// (row, token).
    /// </summary>
    internal bool AllowLaneTiles { get; init; }

    private LaneTiles LaneTilesFor(GgmlType type) => !AllowLaneTiles ? LaneTiles.None : type switch
    {
        GgmlType.Q5_0 when MatMulLaneTiles<Q5_0Lanes>.IsSupported => LaneTiles.Q5_0,
        GgmlType.Q4_K when MatMulLaneTiles<Q4KLanes>.IsSupported => LaneTiles.Q4_K,
        GgmlType.Q6_K when MatMulLaneTiles<Q6KLanes>.IsSupported => LaneTiles.Q6_K,
        _ => LaneTiles.None,
    };

    /// <summary>The activation rows in token pairs for <see cref="MatMulLaneTiles{TFormat}"/>, and per-worker room for a row tile.</summary>
    private void PrepareLaneTiles(in WeightMatrix w, int tokens, byte* act, int workers)
    {
        int steps = w.Columns / GgmlTypeInfo.BlockSize(w.Type);
        long needed = _laneTiles switch
        {
            LaneTiles.Q5_0 => MatMulLaneTiles<Q5_0Lanes>.PreparedBytes(tokens, steps),
            LaneTiles.Q4_K => MatMulLaneTiles<Q4KLanes>.PreparedBytes(tokens, steps),
            _ => MatMulLaneTiles<Q6KLanes>.PreparedBytes(tokens, steps),
        };
        if (_prepared.Length < needed)
            _prepared = GC.AllocateUninitializedArray<byte>(checked((int)needed), pinned: true);
        int scratch;
        fixed (byte* p = _prepared)
        {
            switch (_laneTiles)
            {
                case LaneTiles.Q5_0:
                    MatMulLaneTiles<Q5_0Lanes>.Prepare(act, _activationRowBytes, tokens, steps, p);
                    scratch = MatMulLaneTiles<Q5_0Lanes>.ScratchFloats(steps);
                    break;
                case LaneTiles.Q4_K:
                    MatMulLaneTiles<Q4KLanes>.Prepare(act, _activationRowBytes, tokens, steps, p);
                    scratch = MatMulLaneTiles<Q4KLanes>.ScratchFloats(steps);
                    break;
                default:
                    MatMulLaneTiles<Q6KLanes>.Prepare(act, _activationRowBytes, tokens, steps, p);
                    scratch = MatMulLaneTiles<Q6KLanes>.ScratchFloats(steps);
                    break;
            }
        }
        if (_rowScales.Length < workers || _rowScales[0].Length < scratch)
            _rowScales = PinnedRows(workers, scratch);
    }

    private void RunLaneTiles(int worker, int start, int end)
    {
        var w = _weights;
        int steps = w.Columns / GgmlTypeInfo.BlockSize(w.Type);
        fixed (byte* p = _prepared)
        fixed (float* scratch = _rowScales[worker])
        {
            if (_laneTiles == LaneTiles.Q5_0)
                MatMulLaneTiles<Q5_0Lanes>.Run(w.Data, w.RowBytes, start, end, steps, p, _tokens, _y, w.Rows, scratch);
            else if (_laneTiles == LaneTiles.Q4_K)
                MatMulLaneTiles<Q4KLanes>.Run(w.Data, w.RowBytes, start, end, steps, p, _tokens, _y, w.Rows, scratch);
            else
                MatMulLaneTiles<Q6KLanes>.Run(w.Data, w.RowBytes, start, end, steps, p, _tokens, _y, w.Rows, scratch);
        }
    }
}
