using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// <see cref="MatMul"/>'s row-kernel route. With AVX-512, for weight types beyond Q4_0/Q8_0 (which have their own
/// tiles): Q5_0 through <see cref="MatVecQ8Rows{TFormat, TActivation}"/>, Q4_K and Q6_K through
/// <see cref="MatVecKRows{TFormat}"/> — the types of the Q4_K_M mix. Without AVX-512 (AVX2): Q4_0 through
/// <see cref="MatVecQ4_0Pairs256"/>, Q5_0 and Q8_0 through <see cref="MatVecRows256{TFormat, TActivation}"/>, Q4_K and
/// Q6_K through <see cref="MatVecKRows256{TFormat}"/>, sliced Q5_0 (<see cref="Q5_0Sliced"/>) through
/// <see cref="MatVecQ5_0Sliced256"/> and grouped Q8_0 (<see cref="Q8_0Grouped"/>) through the Q8_0 row kernel's grouped
/// format, for every token count (several tokens take the kernels'
/// multi-token forms, which unpack each weight block once for up to eight tokens).
/// Each is bit-identical to <see cref="VecDot.Dot"/>, so a sequence's logits stay independent of batching. Owns the
/// activation-scale scratch and the aligned activation copies (allocated once, reused).
/// </summary>
internal sealed unsafe class MatVecDispatch
{
    private float[] _activationScales = [];  // 32-element block types: (blocks + 16) floats per token, zero-padded, pinned
    private byte[] _aligned = [];            // AVX2, several tokens: the activations re-laid for aligned loads (AlignedActivations), pinned
    private byte* _alignedStart;             // the first 64-byte boundary in _aligned

    /// <summary>True when one token's product with <paramref name="type"/> weights takes a row kernel here.</summary>
    public static bool Covers(GgmlType type) => Use256 ? Covers256(type) : type switch
    {
        GgmlType.Q5_0 => MatVecQ8Rows<Q5_0MatVec, Q4_0MatVecActivation>.IsSupported,
        GgmlType.Q4_K => MatVecKRows<Q4KMatVec>.IsSupported,
        GgmlType.Q6_K => MatVecKRows<Q6KMatVec>.IsSupported,
        _ => false,
    };

    /// <summary>The AVX2 kernels run where <see cref="VecDot.Dot"/> takes its 256-bit path (each row computed as that path computes it).</summary>
    private static bool Use256 => !VecDotInt8.Use512 && Avx2.IsSupported;

    private static bool Covers256(GgmlType type) => type is GgmlType.Q4_0 or GgmlType.Q5_0 or GgmlType.Q8_0 or GgmlType.Q4_K or GgmlType.Q6_K;

    /// <summary>Types whose kernels take the activation block scales as floats (Q8_0 activations, fp16 scales).</summary>
    private static bool NeedsActivationScales(GgmlType type) =>
        type == GgmlType.Q5_0 || (Use256 && type is GgmlType.Q4_0 or GgmlType.Q8_0);

    /// <summary>
    /// Per-call preparation on the calling thread: the 32-element block types need each token's activation block
    /// scales as floats, one zero-padded run of (blocks + 16) per token.
    /// </summary>
    public void Prepare(GgmlType type, byte* act, int activationRowBytes, int tokens, int columns)
    {
        // The AVX2 multi-token kernels (RunTokens256) read aligned copies of the activations.
        if (Use256 && tokens > 1 && type is GgmlType.Q4_K or GgmlType.Q6_K)
            AlignedActivations.CopyQ8K(act, activationRowBytes, tokens, columns / 256, Aligned((long)AlignedActivations.Q8KRowBytes(columns / 256) * tokens));
        if (Use256 && tokens > 1 && type is GgmlType.Q5_0 or GgmlType.Q8_0)
            AlignedActivations.CopyQ8_0Values(act, activationRowBytes, tokens, columns / 32, Aligned((long)AlignedActivations.Q8_0ValueRowBytes(columns / 32) * tokens));
        if (!NeedsActivationScales(type))
            return;
        int blocks = columns / 32, stride = blocks + 16;
        // The kernels read the scales 16 (AVX-512) or 8 blocks at a time: pad with zeros (scale 0 for absent blocks).
        if (_activationScales.Length < tokens * stride)
            _activationScales = GC.AllocateArray<float>(tokens * stride, pinned: true);
        for (int t = 0; t < tokens; t++)
        {
            byte* row = act + (long)t * activationRowBytes;
            for (int b = 0; b < blocks; b++)
                _activationScales[t * stride + b] = HalfConvert.HalfToSingle(*(ushort*)(row + b * BlockQ8_0.BlockBytes));
            _activationScales.AsSpan(t * stride + blocks, 16).Clear();
        }
    }

    /// <summary>At least <paramref name="bytes"/> of 64-byte-aligned scratch for a re-laid copy of the activations (grown, never shrunk).</summary>
    private byte* Aligned(long bytes)
    {
        if (_aligned.Length < bytes + 64)
        {
            _aligned = GC.AllocateUninitializedArray<byte>(checked((int)(bytes + 64)), pinned: true);
            fixed (byte* p = _aligned)
                _alignedStart = (byte*)(((nuint)p + 63) & ~(nuint)63); // on the pinned heap: the address stays
        }
        return _alignedStart;
    }

    /// <summary>
    /// y[t, r] = dot(W[r], x[t]) for rows [start, end) and every token: the one-token kernel once per token (the rows
    /// are read from memory once and from cache for the other tokens) or, with AVX2, the kernels' multi-token forms.
    /// Every output is exactly the one-token (and <see cref="VecDot.Dot"/>) result.
    /// </summary>
    public void Run(in WeightMatrix w, int start, int end, byte* act, int activationRowBytes, int tokens, float* y)
    {
        if (Use256 && tokens > 1 && w.Type != GgmlType.Q4_0)
        {
            RunTokens256(w, start, end, tokens, y);
            return;
        }
        for (int t = 0; t < tokens; t++)
            Run(w, start, end, act + (long)t * activationRowBytes, t * (w.Columns / 32 + 16), y + (long)t * w.Rows);
    }

    /// <summary>
    /// Several tokens with AVX2: each weight block (K-quants: super-block) is unpacked, and each chunk of weight scales
    /// widened, once for up to eight tokens, which are read from the aligned activation copy <see cref="Prepare"/> made.
    /// (Row-major Q4_0 keeps the one-token kernel per token: without AVX-512 models regroup Q4_0, and the interleaved
    /// kernel serves its batches.)
    /// </summary>
    private void RunTokens256(in WeightMatrix w, int start, int end, int tokens, float* y)
    {
        int blocks = w.Columns / 32, stride = blocks + 16;
        fixed (float* dx = _activationScales)
        {
            switch (w.Type)
            {
                case GgmlType.Q5_0 when w.Layout == WeightLayout.Q5_0Sliced:
                    MatVecQ5_0Sliced256.RunTokens(w.Data, w.RowBytes, start, end, blocks, _alignedStart, dx, stride, tokens, y, w.Rows);
                    break;
                case GgmlType.Q5_0:
                    MatVecRows256<Q5_0Rows256, OffsetActivation256>.RunTokens(w.Data, w.RowBytes, start, end, blocks, _alignedStart, dx, stride, tokens, y, w.Rows);
                    break;
                case GgmlType.Q8_0 when w.Layout == WeightLayout.Q8_0Grouped:
                    MatVecRows256<Q8_0GroupedRows256, Vector256<sbyte>>.RunTokens(w.Data, w.RowBytes, start, end, blocks, _alignedStart, dx, stride, tokens, y, w.Rows);
                    break;
                case GgmlType.Q8_0:
                    MatVecRows256<Q8_0Rows256, Vector256<sbyte>>.RunTokens(w.Data, w.RowBytes, start, end, blocks, _alignedStart, dx, stride, tokens, y, w.Rows);
                    break;
                case GgmlType.Q4_K:
                    MatVecKRows256<Q4KRows256>.RunTokens(w.Data, w.RowBytes, start, end, w.Columns / 256, _alignedStart, tokens, y, w.Rows);
                    break;
                case GgmlType.Q6_K:
                    MatVecKRows256<Q6KRows256>.RunTokens(w.Data, w.RowBytes, start, end, w.Columns / 256, _alignedStart, tokens, y, w.Rows);
                    break;
                default:
                    throw new NotSupportedException($"No multi-token row kernel for {w.Type}.");
            }
        }
    }

    /// <summary>y[r] = dot(W[r], x) for rows [start, end) of <paramref name="w"/>; the activation scales start at <paramref name="scaleOffset"/>.</summary>
    private void Run(in WeightMatrix w, int start, int end, byte* act, int scaleOffset, float* y)
    {
        if (Use256)
        {
            Run256(w, start, end, act, scaleOffset, y);
            return;
        }
        switch (w.Type)
        {
            case GgmlType.Q5_0:
                fixed (float* dx = _activationScales)
                    MatVecQ8Rows<Q5_0MatVec, Q4_0MatVecActivation>.Run(w.Data, w.RowBytes, start, end, w.Rows, w.Columns / 32, act, dx + scaleOffset, y);
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

    private void Run256(in WeightMatrix w, int start, int end, byte* act, int scaleOffset, float* y)
    {
        int blocks = w.Columns / 32;
        fixed (float* scales = _activationScales)
        {
            float* dx = scales + scaleOffset;
            switch (w.Type)
            {
                case GgmlType.Q4_0:
                    MatVecQ4_0Pairs256.Run(w.Data, w.RowBytes, start, end, blocks, act, dx, y);
                    break;
                case GgmlType.Q5_0 when w.Layout == WeightLayout.Q5_0Sliced:
                    MatVecQ5_0Sliced256.Run(w.Data, w.RowBytes, start, end, blocks, act, dx, y);
                    break;
                case GgmlType.Q5_0:
                    MatVecRows256<Q5_0Rows256, OffsetActivation256>.Run(w.Data, w.RowBytes, start, end, blocks, act, dx, y);
                    break;
                case GgmlType.Q8_0 when w.Layout == WeightLayout.Q8_0Grouped:
                    MatVecRows256<Q8_0GroupedRows256, Vector256<sbyte>>.Run(w.Data, w.RowBytes, start, end, blocks, act, dx, y);
                    break;
                case GgmlType.Q8_0:
                    MatVecRows256<Q8_0Rows256, Vector256<sbyte>>.Run(w.Data, w.RowBytes, start, end, blocks, act, dx, y);
                    break;
                case GgmlType.Q4_K:
                    MatVecKRows256<Q4KRows256>.Run(w.Data, w.RowBytes, start, end, w.Columns / 256, act, y);
                    break;
                case GgmlType.Q6_K:
                    MatVecKRows256<Q6KRows256>.Run(w.Data, w.RowBytes, start, end, w.Columns / 256, act, y);
                    break;
                default:
                    throw new NotSupportedException($"No one-token row kernel for {w.Type}.");
            }
        }
    }
}
