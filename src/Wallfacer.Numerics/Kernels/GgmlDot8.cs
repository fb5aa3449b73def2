using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// The float summation orders of llama.cpp's AVX2 CPU build (8-lane vectors; <see cref="GgmlBuild.Avx2Order"/>), each
/// named after the ggml routine it mirrors. Two reductions of eight lanes occur there: <c>GGML_F32x8_REDUCE</c>
/// (<see cref="ReduceMacro"/>: low half plus high half, then two <c>hadd</c>s, (t0+t1)+(t2+t3)) and tinyBLAS's and the
/// softmax's <c>hsum</c> (<see cref="Hsum"/>: the same halves, then (t0+t2)+(t1+t3)). Every vector form here computes
/// lane for lane what its scalar definition (<c>…Reference</c>) computes.
/// </summary>
public static class GgmlDot8
{
    private const int Lanes = 8;
    private const int Step = 32; // GGML_F32_STEP / GGML_F16_STEP with AVX: four accumulators of eight lanes

    /// <summary>True when the vector forms run in hardware.</summary>
    private static bool UseVectors => Vector256.IsHardwareAccelerated && Fma.IsSupported && Avx2.IsSupported;

    /// <summary>
    /// <c>ggml_vec_dot_f16</c> on values already widened to float: four 8-lane FMA accumulators over 32-element steps,
    /// <c>GGML_F32x8_REDUCE</c>, then the tail added in double.
    /// </summary>
    public static float VecDotF16(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int n = x.Length, np = n & ~(Step - 1);
        double sum = np > 0 ? VectorPart(x[..np], y[..np]) : 0;
        for (int i = np; i < n; i++)
            sum += (double)(x[i] * y[i]);
        return (float)sum;
    }

    /// <summary>The definition of <see cref="VecDotF16(ReadOnlySpan{float}, ReadOnlySpan{float})"/>, lane by lane.</summary>
    internal static float VecDotF16Reference(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int n = x.Length, np = n & ~(Step - 1);
        double sum = np > 0 ? VectorPartReference(x[..np], y[..np]) : 0;
        for (int i = np; i < n; i++)
            sum += (double)(x[i] * y[i]);
        return (float)sum;
    }

    /// <summary><see cref="VecDotF16(ReadOnlySpan{float}, ReadOnlySpan{float})"/> with x as fp16 bits (a KV-cache row), widened eight at a time.</summary>
    public static float VecDotF16(ReadOnlySpan<ushort> x, ReadOnlySpan<float> y)
    {
        int n = x.Length, np = n & ~(Step - 1);
        double sum = np > 0 ? VectorPart(x[..np], y[..np]) : 0;
        for (int i = np; i < n; i++)
            sum += (double)(HalfConvert.HalfToSingle(x[i]) * y[i]);
        return (float)sum;
    }

    /// <summary>
    /// <c>results[j] = VecDotF16(rows[j·width …], y)</c> for each result, rows one after another (a chunk of keys
    /// widened to float against one query). For widths that are a multiple of 32, eight keys at a time: each key's four
    /// accumulators folded as usual, then the eight folded vectors reduced together — each key's low and high four
    /// lanes added by 128-bit permutes, then two rounds of <c>vhaddps</c> — the same additions as
    /// <see cref="ReduceMacro(Vector256{float})"/>, in a sixth of its instructions per key.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void VecDotF16Rows(ReadOnlySpan<float> rows, int width, ReadOnlySpan<float> y, Span<float> results)
    {
        if (y.Length != width || rows.Length < results.Length * width)
            throw new ArgumentException($"{results.Length} rows of {width} need {results.Length * width} elements and a {width}-element y; got {rows.Length} and {y.Length}.");
        int j = 0;
        if (UseVectors && width % Step == 0 && width > 0)
        {
            ref float x = ref MemoryMarshal.GetReference(rows);
            ref float ys = ref MemoryMarshal.GetReference(y);
            ref float r = ref MemoryMarshal.GetReference(results);
            for (; j + 8 <= results.Length; j += 8)
            {
                nuint o = (nuint)(j * width), w = (nuint)width;
                ReduceMacro8(Folded(ref x, o, width, ref ys), Folded(ref x, o + w, width, ref ys),
                        Folded(ref x, o + 2 * w, width, ref ys), Folded(ref x, o + 3 * w, width, ref ys),
                        Folded(ref x, o + 4 * w, width, ref ys), Folded(ref x, o + 5 * w, width, ref ys),
                        Folded(ref x, o + 6 * w, width, ref ys), Folded(ref x, o + 7 * w, width, ref ys))
                    .StoreUnsafe(ref r, (nuint)j);
            }
        }
        for (; j < results.Length; j++)
            results[j] = VecDotF16(rows.Slice(j * width, width), y);
    }

    /// <summary>The four accumulators of the vector part over one row, folded as (a0+a2)+(a1+a3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Folded(ref float x, nuint offset, int width, ref float y)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (nuint i = 0; i < (nuint)width; i += Step)
        {
            a0 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref x, offset + i), Vector256.LoadUnsafe(ref y, i), a0);
            a1 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref x, offset + i + 8), Vector256.LoadUnsafe(ref y, i + 8), a1);
            a2 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref x, offset + i + 16), Vector256.LoadUnsafe(ref y, i + 16), a2);
            a3 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref x, offset + i + 24), Vector256.LoadUnsafe(ref y, i + 24), a3);
        }
        return (a0 + a2) + (a1 + a3);
    }

    /// <summary>Lane k of the result is <see cref="ReduceMacro(Vector256{float})"/> of the k-th argument.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ReduceMacro8(Vector256<float> f0, Vector256<float> f1, Vector256<float> f2, Vector256<float> f3,
        Vector256<float> f4, Vector256<float> f5, Vector256<float> f6, Vector256<float> f7)
    {
        // t = low four + high four for two keys per register: [t0 | t1], [t2 | t3], …
        Vector256<float> t01 = Avx.Permute2x128(f0, f1, 0x20) + Avx.Permute2x128(f0, f1, 0x31);
        Vector256<float> t23 = Avx.Permute2x128(f2, f3, 0x20) + Avx.Permute2x128(f2, f3, 0x31);
        Vector256<float> t45 = Avx.Permute2x128(f4, f5, 0x20) + Avx.Permute2x128(f4, f5, 0x31);
        Vector256<float> t67 = Avx.Permute2x128(f6, f7, 0x20) + Avx.Permute2x128(f6, f7, 0x31);
        // (t0+t1) and (t2+t3) of each key, then their sum: [r0 r2 r4 r6 | r1 r3 r5 r7].
        Vector256<float> sums = Avx.HorizontalAdd(Avx.HorizontalAdd(t01, t23), Avx.HorizontalAdd(t45, t67));
        return Avx2.PermuteVar8x32(sums, Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7));
    }

    /// <summary><c>ggml_vec_dot_f32</c>: the same vector part, kept as float, and the tail added in float.</summary>
    public static float VecDotF32(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int n = x.Length, np = n & ~(Step - 1);
        float sum = np > 0 ? VectorPart(x[..np], y[..np]) : 0f;
        for (int i = np; i < n; i++)
            sum += x[i] * y[i];
        return sum;
    }

    /// <summary>
    /// <c>ggml_vec_dot_bf16</c> (AVX2) on values already widened to float: four 8-lane accumulators over 32-element
    /// steps (each product of two bfloat16 values is exact, so multiply-then-add and FMA agree), folded as
    /// (c1+c3)+(c2+c4), summed like <see cref="Hsum"/>, then the tail in double.
    /// </summary>
    public static float VecDotBf16(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int n = x.Length, np = n & ~(Step - 1);
        Span<float> folded = stackalloc float[Lanes];
        GgmlDot.FoldedAccumulators(x[..np], y[..np], folded);
        double sum = np > 0 ? Hsum(folded) : 0;
        for (int i = np; i < n; i++)
            sum += (double)(x[i] * y[i]);
        return (float)sum;
    }

    /// <summary>
    /// One output of llamafile's tinyBLAS with eight lanes (F32, and F16/BF16 widened to float): lane l accumulates
    /// elements l, l+8, … with FMA, then <see cref="Hsum"/>. The length must be a multiple of eight.
    /// </summary>
    public static float TinyBlas(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length % Lanes != 0)
            throw new ArgumentException($"tinyBLAS needs a multiple of {Lanes} elements; got {x.Length}.");
        if (UseVectors)
        {
            ref float xs = ref MemoryMarshal.GetReference(x);
            ref float ys = ref MemoryMarshal.GetReference(y);
            Vector256<float> acc = default;
            for (int i = 0; i < x.Length; i += Lanes)
                acc = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref xs, (nuint)i), Vector256.LoadUnsafe(ref ys, (nuint)i), acc);
            return Hsum(acc);
        }
        Span<float> lanes = stackalloc float[Lanes];
        lanes.Clear();
        for (int i = 0; i < x.Length; i += Lanes)
            for (int l = 0; l < Lanes; l++)
                lanes[l] = MathF.FusedMultiplyAdd(x[i + l], y[i + l], lanes[l]);
        return Hsum(lanes);
    }

    /// <summary>The vector part of <c>ggml_vec_dot_f16/f32</c> over a multiple of 32 elements.</summary>
    private static float VectorPart(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (!UseVectors)
            return VectorPartReference(x, y);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int i = 0; i < x.Length; i += Step)
        {
            nuint o = (nuint)i;
            a0 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref xs, o), Vector256.LoadUnsafe(ref ys, o), a0);
            a1 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref xs, o + 8), Vector256.LoadUnsafe(ref ys, o + 8), a1);
            a2 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref xs, o + 16), Vector256.LoadUnsafe(ref ys, o + 16), a2);
            a3 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref xs, o + 24), Vector256.LoadUnsafe(ref ys, o + 24), a3);
        }
        return ReduceMacro((a0 + a2) + (a1 + a3));
    }

    /// <summary><see cref="VectorPart(ReadOnlySpan{float}, ReadOnlySpan{float})"/> with x as fp16 bits.</summary>
    private static float VectorPart(ReadOnlySpan<ushort> x, ReadOnlySpan<float> y)
    {
        if (!UseVectors)
        {
            Span<float> wide = x.Length <= 512 ? stackalloc float[x.Length] : new float[x.Length];
            HalfConvert.HalfToSingle(x, wide);
            return VectorPartReference(wide, y);
        }
        ref ushort xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int i = 0; i < x.Length; i += Step)
        {
            nuint o = (nuint)i;
            a0 = Fma.MultiplyAdd(Widen8(ref xs, o), Vector256.LoadUnsafe(ref ys, o), a0);
            a1 = Fma.MultiplyAdd(Widen8(ref xs, o + 8), Vector256.LoadUnsafe(ref ys, o + 8), a1);
            a2 = Fma.MultiplyAdd(Widen8(ref xs, o + 16), Vector256.LoadUnsafe(ref ys, o + 16), a2);
            a3 = Fma.MultiplyAdd(Widen8(ref xs, o + 24), Vector256.LoadUnsafe(ref ys, o + 24), a3);
        }
        return ReduceMacro((a0 + a2) + (a1 + a3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Widen8(ref ushort x, nuint i) =>
        HalfConvert.HalfToSingle(Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref x, i)).AsUInt32());

    /// <summary>The definition of the vector part, lane by lane.</summary>
    internal static float VectorPartReference(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        Span<float> folded = stackalloc float[Lanes];
        GgmlDot.FoldedAccumulators(x, y, folded);
        return ReduceMacro(folded);
    }

    /// <summary><c>GGML_F32x8_REDUCE</c>'s last steps: t = low four + high four, then (t0+t1)+(t2+t3) (two <c>hadd</c>s).</summary>
    public static float ReduceMacro(ReadOnlySpan<float> v)
    {
        float t0 = v[0] + v[4], t1 = v[1] + v[5], t2 = v[2] + v[6], t3 = v[3] + v[7];
        return (t0 + t1) + (t2 + t3);
    }

    /// <summary><see cref="ReduceMacro(ReadOnlySpan{float})"/> on a vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ReduceMacro(Vector256<float> v)
    {
        Vector128<float> t = v.GetLower() + v.GetUpper();
        return (t.GetElement(0) + t.GetElement(1)) + (t.GetElement(2) + t.GetElement(3));
    }

    /// <summary>tinyBLAS's <c>hsum(__m256)</c>: t = low four + high four, then (t0+t2)+(t1+t3).</summary>
    public static float Hsum(ReadOnlySpan<float> v)
    {
        float t0 = v[0] + v[4], t1 = v[1] + v[5], t2 = v[2] + v[6], t3 = v[3] + v[7];
        return (t0 + t2) + (t1 + t3);
    }

    /// <summary><see cref="Hsum(ReadOnlySpan{float})"/> on a vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Hsum(Vector256<float> v)
    {
        Vector128<float> t = v.GetLower() + v.GetUpper();
        return (t.GetElement(0) + t.GetElement(2)) + (t.GetElement(1) + t.GetElement(3));
    }
}
