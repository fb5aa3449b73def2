using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// Float dot products summed in exactly the order llama.cpp's CPU build sums them, for the few places where a
/// last-ulp difference would be amplified (attention scores feed an exponential and a half-precision accumulator).
/// Each method names the ggml routine it mirrors. The orders here are the AVX-512 build's; where llama.cpp runs its
/// AVX2 build (<see cref="GgmlBuild.Avx2Order"/>) the public methods take <see cref="GgmlDot8"/>'s.
/// </summary>
public static class GgmlDot
{
    private const int Lanes = 16;        // GGML_F32_EPR / GGML_F16_EPR with AVX-512
    private const int Accumulators = 4;  // GGML_F32_ARR
    private const int Step = Lanes * Accumulators;

    /// <summary>
    /// <c>ggml_vec_dot_f16</c> (ggml-cpu vec.cpp) on half-precision values already widened to float: four
    /// 16-lane FMA accumulators over each 64-element step, folded as (a0+a2)+(a1+a3), reduced like
    /// <c>_mm512_reduce_add_ps</c>, then the tail added in double.
    /// </summary>
    public static float HalfOrder(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length)
            throw new ArgumentException($"x has {x.Length} elements but y {y.Length}; they must be equal.");
        if (GgmlBuild.Avx2Order)
            return GgmlDot8.VecDotF16(x, y);
        if (!Vector512.IsHardwareAccelerated)
            return UseHalves ? HalfOrderHalves(x, y) : HalfOrder16Reference(x, y);
        int n = x.Length, np = n & ~(Step - 1);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        double sum = 0;
        if (np > 0)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (int i = 0; i < np; i += Step)
            {
                a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xs, (nuint)i), Vector512.LoadUnsafe(ref ys, (nuint)i), a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xs, (nuint)(i + 16)), Vector512.LoadUnsafe(ref ys, (nuint)(i + 16)), a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xs, (nuint)(i + 32)), Vector512.LoadUnsafe(ref ys, (nuint)(i + 32)), a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xs, (nuint)(i + 48)), Vector512.LoadUnsafe(ref ys, (nuint)(i + 48)), a3);
            }
            sum = ReduceAdd16((a0 + a2) + (a1 + a3));
        }
        for (int i = np; i < n; i++)
            sum += (double)(x[i] * y[i]);
        return (float)sum;
    }

    /// <summary>
    /// <see cref="HalfOrder(ReadOnlySpan{float}, ReadOnlySpan{float})"/> with <paramref name="x"/> still as fp16 bits
    /// (a row of the KV cache), widened sixteen at a time inside the loop instead of into a scratch row first.
    /// Bit-identical to widening with <see cref="HalfConvert.HalfToSingle(ReadOnlySpan{ushort}, Span{float})"/> and
    /// calling the float overload.
    /// </summary>
    public static float HalfOrder(ReadOnlySpan<ushort> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length)
            throw new ArgumentException($"x has {x.Length} elements but y {y.Length}; they must be equal.");
        if (GgmlBuild.Avx2Order)
            return GgmlDot8.VecDotF16(x, y);
        if (!Vector512.IsHardwareAccelerated || !Avx512F.IsSupported)
            return UseHalves ? HalfOrderHalves(x, y) : HalfOrderReference(x, y);
        int n = x.Length, np = n & ~(Step - 1);
        ref ushort xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        double sum = 0;
        if (np > 0)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (int i = 0; i < np; i += Step)
            {
                a0 = Vector512.FusedMultiplyAdd(Widen16(ref xs, i), Vector512.LoadUnsafe(ref ys, (nuint)i), a0);
                a1 = Vector512.FusedMultiplyAdd(Widen16(ref xs, i + 16), Vector512.LoadUnsafe(ref ys, (nuint)(i + 16)), a1);
                a2 = Vector512.FusedMultiplyAdd(Widen16(ref xs, i + 32), Vector512.LoadUnsafe(ref ys, (nuint)(i + 32)), a2);
                a3 = Vector512.FusedMultiplyAdd(Widen16(ref xs, i + 48), Vector512.LoadUnsafe(ref ys, (nuint)(i + 48)), a3);
            }
            sum = ReduceAdd16((a0 + a2) + (a1 + a3));
        }
        for (int i = np; i < n; i++)
            sum += (double)(HalfConvert.HalfToSingle(x[i]) * y[i]);
        return (float)sum;
    }

    /// <summary>
    /// <c>results[j] = HalfOrder(rows[j·width …], y)</c> for each result: one query against a chunk of keys already
    /// widened to float, in one call (the generation path's scores for each head of a grouped-query group).
    /// </summary>
    public static void HalfOrderRows(ReadOnlySpan<float> rows, int width, ReadOnlySpan<float> y, Span<float> results)
    {
        if (y.Length != width || rows.Length < results.Length * width)
            throw new ArgumentException($"{results.Length} rows of {width} need {results.Length * width} elements and a {width}-element y; got {rows.Length} and {y.Length}.");
        if (GgmlBuild.Avx2Order)
        {
            GgmlDot8.VecDotF16Rows(rows, width, y, results);
            return;
        }
        if (width != Step || !Vector512.IsHardwareAccelerated)
        {
            // (Without AVX-512, HalfOrder itself takes the 256-bit halves.)
            for (int j = 0; j < results.Length; j++)
                results[j] = HalfOrder(rows.Slice(j * width, width), y);
            return;
        }
        // One 64-element step per row (the common head size): y stays in four registers, no tail.
        ref float ys = ref MemoryMarshal.GetReference(y);
        ref float xs = ref MemoryMarshal.GetReference(rows);
        var y0 = Vector512.LoadUnsafe(ref ys);
        var y1 = Vector512.LoadUnsafe(ref ys, 16);
        var y2 = Vector512.LoadUnsafe(ref ys, 32);
        var y3 = Vector512.LoadUnsafe(ref ys, 48);
        for (int j = 0; j < results.Length; j++)
        {
            nuint o = (nuint)(j * Step);
            var a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xs, o), y0, Vector512<float>.Zero);
            var a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xs, o + 16), y1, Vector512<float>.Zero);
            var a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xs, o + 32), y2, Vector512<float>.Zero);
            var a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xs, o + 48), y3, Vector512<float>.Zero);
            results[j] = ReduceAdd16((a0 + a2) + (a1 + a3)); // HalfOrder adds no tail at this width
        }
    }

    /// <summary>
    /// Without AVX-512 but with AVX2 and FMA, the same 16-lane order in pairs of 256-bit registers: lane l of an
    /// accumulator is lane l of its low or high half, each lane sees the same fused multiply-adds, and the reduction's
    /// first fold (upper 256 bits onto the lower) is the halves' sum — so the result is bit-identical to the reference.
    /// </summary>
    private static bool UseHalves => Vector256.IsHardwareAccelerated && Fma.IsSupported && Avx2.IsSupported;

    private static float HalfOrderHalves(ReadOnlySpan<float> x, ReadOnlySpan<float> y) => HalfOrderHalves<float, FloatValues>(x, y);

    private static float HalfOrderHalves(ReadOnlySpan<ushort> x, ReadOnlySpan<float> y) => HalfOrderHalves<ushort, HalfValues>(x, y);

    /// <summary>The 16-lane order in pairs of 256-bit registers, for x as floats or as fp16 bits (<typeparamref name="TLoad"/>).</summary>
    private static float HalfOrderHalves<T, TLoad>(ReadOnlySpan<T> x, ReadOnlySpan<float> y) where TLoad : struct, IValueLoader<T>
    {
        int n = x.Length, np = n & ~(Step - 1);
        ref T xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        double sum = 0;
        if (np > 0)
        {
            Vector256<float> a0 = default, b0 = default, a1 = default, b1 = default, a2 = default, b2 = default, a3 = default, b3 = default;
            for (int i = 0; i < np; i += Step)
            {
                nuint o = (nuint)i;
                a0 = Fma.MultiplyAdd(TLoad.Load8(ref xs, i), Vector256.LoadUnsafe(ref ys, o), a0);
                b0 = Fma.MultiplyAdd(TLoad.Load8(ref xs, i + 8), Vector256.LoadUnsafe(ref ys, o + 8), b0);
                a1 = Fma.MultiplyAdd(TLoad.Load8(ref xs, i + 16), Vector256.LoadUnsafe(ref ys, o + 16), a1);
                b1 = Fma.MultiplyAdd(TLoad.Load8(ref xs, i + 24), Vector256.LoadUnsafe(ref ys, o + 24), b1);
                a2 = Fma.MultiplyAdd(TLoad.Load8(ref xs, i + 32), Vector256.LoadUnsafe(ref ys, o + 32), a2);
                b2 = Fma.MultiplyAdd(TLoad.Load8(ref xs, i + 40), Vector256.LoadUnsafe(ref ys, o + 40), b2);
                a3 = Fma.MultiplyAdd(TLoad.Load8(ref xs, i + 48), Vector256.LoadUnsafe(ref ys, o + 48), a3);
                b3 = Fma.MultiplyAdd(TLoad.Load8(ref xs, i + 56), Vector256.LoadUnsafe(ref ys, o + 56), b3);
            }
            sum = ReduceAdd16((a0 + a2) + (a1 + a3), (b0 + b2) + (b1 + b3));
        }
        for (int i = np; i < n; i++)
            sum += (double)(TLoad.One(x[i]) * y[i]);
        return (float)sum;
    }

    /// <summary>x's values as floats, eight at a time or one: floats as they are, fp16 bits widened (exactly).</summary>
    private interface IValueLoader<T>
    {
        static abstract Vector256<float> Load8(ref T x, int i);
        static abstract float One(T x);
    }

    private struct FloatValues : IValueLoader<float>
    {
        public static Vector256<float> Load8(ref float x, int i) => Vector256.LoadUnsafe(ref x, (nuint)i);
        public static float One(float x) => x;
    }

    private struct HalfValues : IValueLoader<ushort>
    {
        public static Vector256<float> Load8(ref ushort x, int i) =>
            HalfConvert.HalfToSingle(Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref x, (nuint)i)).AsUInt32());
        public static float One(ushort x) => HalfConvert.HalfToSingle(x);
    }

    /// <summary><see cref="ReduceAdd16(ReadOnlySpan{float})"/> of the 16 lanes <paramref name="low"/> (0–7) and <paramref name="high"/> (8–15).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ReduceAdd16(Vector256<float> low, Vector256<float> high)
    {
        Vector256<float> t = low + high;
        Vector128<float> u = t.GetLower() + t.GetUpper();
        float w0 = u.GetElement(0) + u.GetElement(2), w1 = u.GetElement(1) + u.GetElement(3);
        return w0 + w1;
    }

    /// <summary>Sixteen fp16 values at <c>x[i]</c> as floats (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Widen16(ref ushort x, int i) =>
        HalfConvert.HalfToSingle(Avx512F.ConvertToVector512UInt32(Vector256.LoadUnsafe(ref x, (nuint)i)));

    /// <summary>The definition of <see cref="HalfOrder(ReadOnlySpan{float}, ReadOnlySpan{float})"/>, lane by lane.</summary>
    internal static float HalfOrderReference(ReadOnlySpan<float> x, ReadOnlySpan<float> y) =>
        GgmlBuild.Avx2Order ? GgmlDot8.VecDotF16Reference(x, y) : HalfOrder16Reference(x, y);

    /// <summary>The AVX-512 build's order, lane by lane.</summary>
    private static float HalfOrder16Reference(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int n = x.Length, np = n & ~(Step - 1);
        double sum = 0;
        if (np > 0)
        {
            Span<float> lanes = stackalloc float[Lanes];
            FoldedAccumulators(x[..np], y[..np], lanes);
            sum = ReduceAdd16(lanes);
        }
        for (int i = np; i < n; i++)
            sum += (double)(x[i] * y[i]);
        return (float)sum;
    }

    /// <summary>
    /// The lane-by-lane definition shared by ggml's vec_dot forms: four accumulators of <c>folded.Length</c> lanes take
    /// consecutive vectors of each 4·lanes-element step by FMA, then fold as (a0+a2)+(a1+a3) (<c>x[0] += x[2]; x[1] +=
    /// x[3]; x[0] += x[1]</c>) into <paramref name="folded"/>. The length must be a multiple of 4·lanes.
    /// </summary>
    internal static void FoldedAccumulators(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> folded)
    {
        int lanes = folded.Length, step = 4 * lanes;
        Span<float> acc = stackalloc float[step]; // accumulator j is acc[j·lanes …]
        acc.Clear();
        for (int i = 0; i < x.Length; i += step)
            for (int k = 0; k < step; k++)
                acc[k] = MathF.FusedMultiplyAdd(x[i + k], y[i + k], acc[k]);
        for (int l = 0; l < lanes; l++)
            folded[l] = (acc[l] + acc[2 * lanes + l]) + (acc[lanes + l] + acc[3 * lanes + l]);
    }

    /// <summary>The half-bits overload's definition: widen, then <see cref="HalfOrderReference(ReadOnlySpan{float}, ReadOnlySpan{float})"/>.</summary>
    internal static float HalfOrderReference(ReadOnlySpan<ushort> x, ReadOnlySpan<float> y)
    {
        Span<float> wide = x.Length <= 256 ? stackalloc float[x.Length] : new float[x.Length];
        for (int i = 0; i < x.Length; i++)
            wide[i] = HalfConvert.HalfToSingle(x[i]);
        return HalfOrderReference(wide, y);
    }

    /// <summary>
    /// A sequential FMA chain <c>acc = fma(x[k], y[k], acc)</c> for k = 0…n−1 from zero, which is what each
    /// output of llama.cpp's <c>simd_gemm</c> (ggml-cpu simd-gemm.h) computes lane by lane.
    /// </summary>
    public static float SequentialFma(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        float acc = 0;
        for (int k = 0; k < x.Length; k++)
            acc = MathF.FusedMultiplyAdd(x[k], y[k], acc);
        return acc;
    }

    /// <summary>
    /// Sum of 16 floats in <c>_mm512_reduce_add_ps</c>'s order (GCC's definition): fold the upper 256 bits onto
    /// the lower, then the upper 128 onto the lower, then lanes {2,3} onto {0,1}, then lane 1 onto lane 0.
    /// </summary>
    public static float ReduceAdd16(ReadOnlySpan<float> v)
    {
        Span<float> t = stackalloc float[8];
        for (int i = 0; i < 8; i++)
            t[i] = v[i + 8] + v[i];
        Span<float> u = stackalloc float[4];
        for (int i = 0; i < 4; i++)
            u[i] = t[i + 4] + t[i];
        float w0 = u[0] + u[2], w1 = u[1] + u[3];
        return w0 + w1;
    }

    /// <summary><see cref="ReduceAdd16(ReadOnlySpan{float})"/> on a vector: the same additions (float addition commutes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ReduceAdd16(Vector512<float> v)
    {
        Vector256<float> t = v.GetLower() + v.GetUpper();
        Vector128<float> u = t.GetLower() + t.GetUpper();
        float w0 = u.GetElement(0) + u.GetElement(2), w1 = u.GetElement(1) + u.GetElement(3);
        return w0 + w1;
    }
}
