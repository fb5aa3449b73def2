using System.Buffers;
using System.Runtime.InteropServices;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// Dot products for float weights (F32, F16, BF16) summed in the order llama.cpp's AVX-512 CPU build sums
/// them, so that float models agree with it to the last bit rather than to the last few ulps (which half- and
/// bfloat16-precision roundings downstream would otherwise amplify). llama.cpp uses two orders:
/// <list type="bullet">
/// <item>batches of 2+ tokens go through llamafile's tinyBLAS (ggml-cpu/llamafile/sgemm.cpp): one 16-lane
/// accumulator per output, lane l summing elements l, l+16, … with FMA (bf16: <c>vdpbf16ps</c> over pairs),
/// then <c>_mm512_reduce_add_ps</c>;</item>
/// <item>single tokens go through <c>ggml_vec_dot_f32/f16/bf16</c> (ggml-cpu/vec.cpp): four (bf16: two)
/// 16-lane accumulators, folded, reduced, then the tail.</item>
/// </list>
/// Any summation order is equally accurate; this one is chosen to be llama.cpp's. Where llama.cpp runs its AVX2
/// build (<see cref="GgmlBuild.Avx2Order"/>) both take eight lanes instead (<see cref="GgmlDot8"/>).
/// </summary>
public static class GgmlFloatDot
{
    private const int Lanes = 16;

    /// <summary>True for the weight types this class orders (the rest use integer block sums, order-free within blocks).</summary>
    public static bool Covers(GgmlType type) => type is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16;

    /// <summary>
    /// Σ w·x for one weight row and one activation row (activations already converted to the weight's
    /// <see cref="VecDot.ActivationType"/>), in llama.cpp's order for a batch of <paramref name="batched"/> tokens.
    /// </summary>
    public static float Dot(GgmlType type, ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int n, bool batched)
    {
        return type switch
        {
            GgmlType.F32 => DotF32(MemoryMarshal.Cast<byte, float>(weights)[..n], MemoryMarshal.Cast<byte, float>(activations)[..n], batched),
            GgmlType.F16 => DotHalf(MemoryMarshal.Cast<byte, ushort>(weights)[..n], MemoryMarshal.Cast<byte, ushort>(activations)[..n], batched, bfloat: false),
            GgmlType.BF16 => DotHalf(MemoryMarshal.Cast<byte, ushort>(weights)[..n], MemoryMarshal.Cast<byte, ushort>(activations)[..n], batched, bfloat: true),
            _ => throw new NotSupportedException($"{type} is not a float weight type."),
        };
    }

    private static float DotF32(ReadOnlySpan<float> w, ReadOnlySpan<float> x, bool batched)
    {
        if (GgmlBuild.Avx2Order)
            return batched && w.Length % 8 == 0 ? GgmlDot8.TinyBlas(w, x) : GgmlDot8.VecDotF32(w, x);
        if (batched && w.Length % Lanes == 0)
            return TinyBlas(w, x);
        // ggml_vec_dot_f32: the fold of four accumulators as float, tail added in float.
        int np = w.Length & ~(4 * Lanes - 1);
        float sum = np > 0 ? GgmlDot.HalfOrder(w[..np], x[..np]) : 0f;
        for (int i = np; i < w.Length; i++)
            sum += w[i] * x[i];
        return sum;
    }

    private static float DotHalf(ReadOnlySpan<ushort> w, ReadOnlySpan<ushort> x, bool batched, bool bfloat)
    {
        int n = w.Length;
        if (GgmlBuild.Avx2Order)
            return DotHalf8(w, x, batched, bfloat);
        if (!bfloat && batched && n % Lanes == 0)
            return TinyBlasHalf(w, x);
        if (!bfloat)
            return VecDotF16(w, x);
        return batched && n % (2 * Lanes) == 0 ? PairedBf16(w, x) : VecDotBf16(w, x);
    }

    /// <summary>
    /// The AVX2 build: both rows widened to float (exact), then tinyBLAS with eight lanes for batches (F16 and BF16
    /// alike: the AVX2 build has no <c>vdpbf16ps</c>) or <c>ggml_vec_dot_f16/bf16</c>'s AVX2 forms.
    /// </summary>
    private static float DotHalf8(ReadOnlySpan<ushort> w, ReadOnlySpan<ushort> x, bool batched, bool bfloat)
    {
        int n = w.Length;
        float[]? rented = n > 2048 ? ArrayPool<float>.Shared.Rent(2 * n) : null;
        Span<float> wide = rented ?? stackalloc float[2 * n];
        try
        {
            Span<float> a = wide[..n], b = wide.Slice(n, n);
            Widen(w, 0, n, a, bfloat);
            Widen(x, 0, n, b, bfloat);
            if (batched && n % 8 == 0)
                return GgmlDot8.TinyBlas(a, b);
            return bfloat ? GgmlDot8.VecDotBf16(a, b) : GgmlDot8.VecDotF16(a, b);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>Widens <paramref name="count"/> values at <paramref name="start"/> into a small buffer.</summary>
    private static void Widen(ReadOnlySpan<ushort> source, int start, int count, Span<float> destination, bool bfloat)
    {
        if (bfloat)
            HalfConvert.BFloat16ToSingle(source.Slice(start, count), destination[..count]);
        else
            HalfConvert.HalfToSingle(source.Slice(start, count), destination[..count]);
    }

    /// <summary>tinyBLAS over half-precision rows, widened 16 at a time.</summary>
    private static float TinyBlasHalf(ReadOnlySpan<ushort> w, ReadOnlySpan<ushort> x)
    {
        Span<float> lanes = stackalloc float[Lanes], a = stackalloc float[Lanes], b = stackalloc float[Lanes];
        for (int k = 0; k < w.Length; k += Lanes)
        {
            Widen(w, k, Lanes, a, bfloat: false);
            Widen(x, k, Lanes, b, bfloat: false);
            for (int l = 0; l < Lanes; l++)
                lanes[l] = MathF.FusedMultiplyAdd(a[l], b[l], lanes[l]);
        }
        return GgmlDot.ReduceAdd16(lanes);
    }

    /// <summary><c>ggml_vec_dot_f16</c>: the 64-element steps in <see cref="GgmlDot.HalfOrder"/>'s order, widened per step.</summary>
    private static float VecDotF16(ReadOnlySpan<ushort> w, ReadOnlySpan<ushort> x)
    {
        int n = w.Length, np = n & ~63;
        Span<float> a = stackalloc float[64], b = stackalloc float[64];
        Span<float> acc = stackalloc float[64]; // four 16-lane accumulators, one after another
        for (int k = 0; k < np; k += 64)
        {
            Widen(w, k, 64, a, bfloat: false);
            Widen(x, k, 64, b, bfloat: false);
            for (int i = 0; i < 64; i++)
                acc[i] = MathF.FusedMultiplyAdd(a[i], b[i], acc[i]);
        }
        double sum = 0;
        if (np > 0)
        {
            Span<float> folded = stackalloc float[Lanes];
            for (int l = 0; l < Lanes; l++)
                folded[l] = (acc[l] + acc[32 + l]) + (acc[16 + l] + acc[48 + l]);
            sum = GgmlDot.ReduceAdd16(folded);
        }
        for (int i = np; i < n; i++)
            sum += (double)(HalfConvert.HalfToSingle(w[i]) * HalfConvert.HalfToSingle(x[i]));
        return (float)sum;
    }

    /// <summary>tinyBLAS: lane l accumulates elements l, l+16, … with FMA; then the 16 lanes are reduced.</summary>
    private static float TinyBlas(ReadOnlySpan<float> w, ReadOnlySpan<float> x)
    {
        Span<float> lanes = stackalloc float[Lanes];
        for (int k = 0; k < w.Length; k += Lanes)
            for (int l = 0; l < Lanes; l++)
                lanes[l] = MathF.FusedMultiplyAdd(w[k + l], x[k + l], lanes[l]);
        return GgmlDot.ReduceAdd16(lanes);
    }

    /// <summary>
    /// <c>vdpbf16ps</c> (llamafile tinyBLAS, 32 elements per step): lane j adds the product of element 2j+1, then of
    /// element 2j (a product of two bfloat16 values is exact in float; each add rounds). Then the lanes are reduced.
    /// </summary>
    private static float PairedBf16(ReadOnlySpan<ushort> w, ReadOnlySpan<ushort> x)
    {
        Span<float> lanes = stackalloc float[Lanes];
        Span<float> a = stackalloc float[2 * Lanes], b = stackalloc float[2 * Lanes];
        for (int k = 0; k < w.Length; k += 2 * Lanes)
        {
            Widen(w, k, 2 * Lanes, a, bfloat: true);
            Widen(x, k, 2 * Lanes, b, bfloat: true);
            AccumulatePairs(lanes, a, b);
        }
        return GgmlDot.ReduceAdd16(lanes);
    }

    /// <summary><c>ggml_vec_dot_bf16</c> (AVX512-BF16): two paired accumulators over 64-element steps, then the tail in double.</summary>
    private static float VecDotBf16(ReadOnlySpan<ushort> w, ReadOnlySpan<ushort> x)
    {
        int n = w.Length, np = n & ~63;
        Span<float> c1 = stackalloc float[Lanes], c2 = stackalloc float[Lanes];
        Span<float> a = stackalloc float[64], b = stackalloc float[64];
        for (int k = 0; k < np; k += 64)
        {
            Widen(w, k, 64, a, bfloat: true);
            Widen(x, k, 64, b, bfloat: true);
            AccumulatePairs(c1, a[..32], b[..32]);
            AccumulatePairs(c2, a[32..], b[32..]);
        }
        double sum = (double)GgmlDot.ReduceAdd16(c1) + GgmlDot.ReduceAdd16(c2);
        for (int i = np; i < n; i++)
            sum += (double)(HalfConvert.BFloat16ToSingle(w[i]) * HalfConvert.BFloat16ToSingle(x[i]));
        return (float)sum;
    }

    private static void AccumulatePairs(Span<float> lanes, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        for (int j = 0; j < Lanes; j++)
        {
            lanes[j] += a[2 * j + 1] * b[2 * j + 1];
            lanes[j] += a[2 * j] * b[2 * j];
        }
    }
}
