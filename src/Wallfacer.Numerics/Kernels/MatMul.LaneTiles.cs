using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>The prompt path for Q5_0, Q4_K and Q6_K weights (<see cref="MatMulLaneTiles{TFormat}"/>).</summary>
public sealed unsafe partial class MatMul
{
    /// <summary>Weight types with a prompt tile kernel in VecDot's AVX-512 lane order (<see cref="MatMulLaneTiles{TFormat}"/>).</summary>
    private enum LaneTiles { None, Q5_0, Q4_K, Q6_K }

    /// <summary>
    /// Lets prompts (more than <see cref="MaxFewTokens"/> tokens) of Q5_0, Q4_K and Q6_K weights take
    /// <see cref="MatMulLaneTiles{TFormat}"/> (on by default). Tests turn it off to compare the tiles with the one-token
    /// row kernels (<see cref="MatVecDispatch"/>) that such prompts take otherwise; both are bit-identical to
    /// <see cref="VecDot.Dot"/>.
    /// </summary>
    internal bool UseLaneTiles { get; init; } = true;

    private LaneTiles LaneTilesFor(GgmlType type) => !UseLaneTiles ? LaneTiles.None : type switch
    {
        GgmlType.Q5_0 when MatMulLaneTiles<Q5_0Lanes>.IsSupported => LaneTiles.Q5_0,
        GgmlType.Q4_K when MatMulLaneTiles<Q4KLanes>.IsSupported => LaneTiles.Q4_K,
        GgmlType.Q6_K when MatMulLaneTiles<Q6KLanes>.IsSupported => LaneTiles.Q6_K,
        _ => LaneTiles.None,
    };

    /// <summary>The activation rows laid out for <see cref="MatMulLaneTiles{TFormat}"/>, and per-worker room for a row tile.</summary>
    private void PrepareLaneTiles(in WeightMatrix w, int tokens, byte* act, int workers)
    {
        int columns = w.Columns;
        long needed = _laneTiles switch
        {
            LaneTiles.Q5_0 => MatMulLaneTiles<Q5_0Lanes>.PreparedBytes(tokens, columns),
            LaneTiles.Q4_K => MatMulLaneTiles<Q4KLanes>.PreparedBytes(tokens, columns),
            _ => MatMulLaneTiles<Q6KLanes>.PreparedBytes(tokens, columns),
        };
        if (_prepared.Length < needed)
            _prepared = GC.AllocateUninitializedArray<byte>(checked((int)needed), pinned: true);
        int scratch;
        fixed (byte* p = _prepared)
        {
            switch (_laneTiles)
            {
                case LaneTiles.Q5_0:
                    MatMulLaneTiles<Q5_0Lanes>.Prepare(act, _activationRowBytes, tokens, columns, p);
                    scratch = MatMulLaneTiles<Q5_0Lanes>.ScratchFloats(columns, tokens);
                    break;
                case LaneTiles.Q4_K:
                    MatMulLaneTiles<Q4KLanes>.Prepare(act, _activationRowBytes, tokens, columns, p);
                    scratch = MatMulLaneTiles<Q4KLanes>.ScratchFloats(columns, tokens);
                    break;
                default:
                    MatMulLaneTiles<Q6KLanes>.Prepare(act, _activationRowBytes, tokens, columns, p);
                    scratch = MatMulLaneTiles<Q6KLanes>.ScratchFloats(columns, tokens);
                    break;
            }
        }
        if (_rowScales.Length < workers || _rowScales[0].Length < scratch)
            _rowScales = PinnedRows(workers, scratch);
    }

    private void RunLaneTiles(int worker, int start, int end)
    {
        var w = _weights;
        fixed (byte* p = _prepared)
        fixed (float* scratch = _rowScales[worker])
        {
            if (_laneTiles == LaneTiles.Q5_0)
                MatMulLaneTiles<Q5_0Lanes>.Run(w.Data, w.RowBytes, w.Columns, start, end, p, _tokens, _y, w.Rows, scratch);
            else if (_laneTiles == LaneTiles.Q4_K)
                MatMulLaneTiles<Q4KLanes>.Run(w.Data, w.RowBytes, w.Columns, start, end, p, _tokens, _y, w.Rows, scratch);
            else
                MatMulLaneTiles<Q6KLanes>.Run(w.Data, w.RowBytes, w.Columns, start, end, p, _tokens, _y, w.Rows, scratch);
        }
    }
}
