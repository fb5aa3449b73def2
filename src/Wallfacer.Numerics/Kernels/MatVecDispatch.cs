using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// <see cref="MatMul"/>'s one-token (generation) route for weight types beyond Q4_0/Q8_0: Q5_0 through
/// <see cref="MatVecQ8Rows{TFormat, TActivation}"/>, Q4_K and Q6_K through <see cref="MatVecKRows{TFormat}"/> — the
/// types of the Q4_K_M mix. Each is bit-identical to <see cref="VecDot.Dot"/>, so a sequence's logits stay
/// independent of batching. Owns the activation-scale scratch (allocated once, reused).
/// </summary>
internal sealed unsafe class MatVecDispatch
{
    private float[] _activationScales = [];  // Q5_0: (blocks + 16) floats, zero-padded, pinned

    /// <summary>True when one token's product with <paramref name="type"/> weights takes a row kernel here.</summary>
    public static bool Covers(GgmlType type) => type switch
    {
        GgmlType.Q5_0 => MatVecQ8Rows<Q5_0MatVec, Q4_0MatVecActivation>.IsSupported,
        GgmlType.Q4_K => MatVecKRows<Q4KMatVec>.IsSupported,
        GgmlType.Q6_K => MatVecKRows<Q6KMatVec>.IsSupported,
        _ => false,
    };

    /// <summary>Per-call preparation on the calling thread: Q5_0 needs the activation block scales as floats.</summary>
    public void Prepare(GgmlType type, byte* act, int columns)
    {
        if (type != GgmlType.Q5_0)
            return;
        int blocks = columns / 32;
        // MatVecQ8Rows reads the scales 16 blocks at a time: pad with zeros (scale 0 for absent blocks).
        if (_activationScales.Length < blocks + 16)
            _activationScales = GC.AllocateArray<float>(blocks + 16, pinned: true);
        for (int b = 0; b < blocks; b++)
            _activationScales[b] = HalfConvert.HalfToSingle(*(ushort*)(act + b * BlockQ8_0.BlockBytes));
        _activationScales.AsSpan(blocks, 16).Clear();
    }

    /// <summary>y[r] = dot(W[r], x) for rows [start, end) of <paramref name="w"/>.</summary>
    public void Run(in WeightMatrix w, int start, int end, byte* act, float* y)
    {
        switch (w.Type)
        {
            case GgmlType.Q5_0:
                fixed (float* dx = _activationScales)
                    MatVecQ8Rows<Q5_0MatVec, Q4_0MatVecActivation>.Run(w.Data, w.RowBytes, start, end, w.Columns / 32, act, dx, y);
                break;
            case GgmlType.Q4_K:
                MatVecKRows<Q4KMatVec>.Run(w.Data, w.RowBytes, start, end, w.Columns / 256, act, y);
                break;
            case GgmlType.Q6_K:
                MatVecKRows<Q6KMatVec>.Run(w.Data, w.RowBytes, start, end, w.Columns / 256, act, y);
                break;
            default:
                throw new NotSupportedException($"No one-token row kernel for {w.Type}.");
        }
    }
}
