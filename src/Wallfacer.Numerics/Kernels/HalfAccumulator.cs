using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// A float vector that holds half-precision values, as llama.cpp's generation-path attention keeps its value
/// accumulator (VKQ16): every update is rounded to fp16 and back. Vectorised lane-wise with the same float
/// operations as the scalar loops (<see cref="HalfConvert.SingleToHalf(float)"/>'s rounding, an exact FMA), so
/// results are bit-identical to <see cref="MultiplyAddReference"/> / <see cref="ScaleReference"/>.
/// </summary>
public static partial class HalfAccumulator
{
    /// <summary>acc[i] = half(fma(x[i], scale, acc[i])) — <c>ggml_vec_mad_f16</c>.</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> x, float scale, Span<float> acc)
    {
        if (x.Length != acc.Length)
            throw new ArgumentException($"x has {x.Length} elements but the accumulator {acc.Length}; they must be equal.");
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float xs = ref MemoryMarshal.GetReference(x);
            ref float a = ref MemoryMarshal.GetReference(acc);
            var s = Vector256.Create(scale);
            for (; i + 8 <= x.Length; i += 8)
            {
                var r = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xs, (nuint)i), s, Vector256.LoadUnsafe(ref a, (nuint)i));
                HalfRounding.RoundToHalf(r).StoreUnsafe(ref a, (nuint)i);
            }
        }
        MultiplyAddReference(x[i..], scale, acc[i..]);
    }

    /// <summary>
    /// <see cref="MultiplyAdd(ReadOnlySpan{float}, float, Span{float})"/> with <paramref name="x"/> as fp16 bits (a row of
    /// the KV cache), widened sixteen at a time inside the loop; bit-identical to widening first.
    /// </summary>
    public static void MultiplyAdd(ReadOnlySpan<ushort> x, float scale, Span<float> acc)
    {
        if (x.Length != acc.Length)
            throw new ArgumentException($"x has {x.Length} elements but the accumulator {acc.Length}; they must be equal.");
        int i = 0;
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
        {
            ref ushort xs = ref MemoryMarshal.GetReference(x);
            ref float a = ref MemoryMarshal.GetReference(acc);
            var s = Vector512.Create(scale);
            for (; i + 16 <= x.Length; i += 16)
            {
                var r = Vector512.FusedMultiplyAdd(GgmlDot.Widen16(ref xs, i), s, Vector512.LoadUnsafe(ref a, (nuint)i));
                HalfRounding.RoundToHalf(r).StoreUnsafe(ref a, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated && Fma.IsSupported && Avx2.IsSupported)
        {
            // The same per-element operations eight at a time (AVX2 machines; the value side of every attention head).
            ref ushort xs = ref MemoryMarshal.GetReference(x);
            ref float a = ref MemoryMarshal.GetReference(acc);
            var s = Vector256.Create(scale);
            for (; i + 8 <= x.Length; i += 8)
            {
                var wide = HalfConvert.HalfToSingle(Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref xs, (nuint)i)).AsUInt32());
                HalfRounding.RoundToHalf(Fma.MultiplyAdd(wide, s, Vector256.LoadUnsafe(ref a, (nuint)i))).StoreUnsafe(ref a, (nuint)i);
            }
        }
        for (; i < x.Length; i++)
            acc[i] = RoundToHalf(MathF.FusedMultiplyAdd(HalfConvert.HalfToSingle(x[i]), scale, acc[i]));
    }

    /// <summary>
    /// For rows j = 0…n−1 in order (row j = <paramref name="rows"/>[j·stride …], fp16 bits): when
    /// <paramref name="rescales"/>[j] ≠ 1, first <c>acc = half(acc · rescales[j])</c> (<see cref="Scale"/>); then
    /// <c>acc = half(fma(row_j, weights[j], acc))</c> (<see cref="MultiplyAdd(ReadOnlySpan{ushort}, float, Span{float})"/>).
    /// That is the value side of llama.cpp's one-query attention over n keys. Skipping a rescale by exactly 1 changes
    /// nothing, as the accumulator always holds fp16 values. With AVX-512 the accumulator stays in registers across
    /// the rows, 64 lanes at a time, so the per-row chain is one FMA and one rounding.
    /// </summary>
    public static void MultiplyAddRows(ReadOnlySpan<ushort> rows, int stride, ReadOnlySpan<float> rescales, ReadOnlySpan<float> weights, Span<float> acc)
    {
        CheckRows(rows.Length, stride, rescales, weights, acc);
        int n = weights.Length, width = acc.Length;
        if (UseRows256(width) && !(Vector512.IsHardwareAccelerated && Avx512F.IsSupported))
        {
            MultiplyAddRows256<ushort, HalfRows, Checked>(ref MemoryMarshal.GetReference(rows), stride, rescales, weights, acc);
            return;
        }
        if (!(Vector512.IsHardwareAccelerated && Avx512F.IsSupported) || width % 16 != 0)
        {
            for (int j = 0; j < n; j++)
            {
                if (rescales[j] != 1f)
                    Scale(acc, rescales[j]);
                MultiplyAdd(rows.Slice(j * stride, width), weights[j], acc);
            }
            return;
        }
        MultiplyAddRowsAvx512<ushort, HalfRows>(ref MemoryMarshal.GetReference(rows), stride, rescales, weights, acc);
    }

    /// <summary>
    /// <see cref="MultiplyAddRows(ReadOnlySpan{ushort}, int, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    /// with the rows already widened to float (fp16 values, so widening is exact and the results are the same bits):
    /// the generation path widens a chunk of value rows once and runs every query head that shares them over it.
    /// </summary>
    public static void MultiplyAddRows(ReadOnlySpan<float> rows, int stride, ReadOnlySpan<float> rescales, ReadOnlySpan<float> weights, Span<float> acc) =>
        MultiplyAddRows(rows, stride, float.NaN, rescales, weights, acc);

    /// <summary>
    /// <see cref="MultiplyAddRows(ReadOnlySpan{float}, int, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    /// given <paramref name="rowsMagnitude"/>, a bound on |value| over the rows' elements
    /// (<see cref="Magnitude.Largest"/> of the chunk; NaN when unknown). With it the AVX2 loop proves before it starts
    /// that no update can overflow fp16 and leaves the per-update range check out. A bound below the true largest value
    /// could give wrong bits; the caller computes it from the same rows it passes.
    /// </summary>
    public static void MultiplyAddRows(ReadOnlySpan<float> rows, int stride, float rowsMagnitude, ReadOnlySpan<float> rescales, ReadOnlySpan<float> weights, Span<float> acc)
    {
        CheckRows(rows.Length, stride, rescales, weights, acc);
        int n = weights.Length, width = acc.Length;
        if (UseRows256(width) && !Vector512.IsHardwareAccelerated)
        {
            MultiplyAddRows256(rows, stride, rowsMagnitude, rescales, weights, acc);
            return;
        }
        if (!Vector512.IsHardwareAccelerated || width % 16 != 0)
        {
            for (int j = 0; j < n; j++)
            {
                if (rescales[j] != 1f)
                    Scale(acc, rescales[j]);
                MultiplyAdd(rows.Slice(j * stride, width), weights[j], acc);
            }
            return;
        }
        MultiplyAddRowsAvx512<float, FloatRows>(ref MemoryMarshal.GetReference(rows), stride, rescales, weights, acc);
    }

    private static void CheckRows(int length, int stride, ReadOnlySpan<float> rescales, ReadOnlySpan<float> weights, Span<float> acc)
    {
        int n = weights.Length, width = acc.Length;
        if (rescales.Length != n || stride < width || (n > 0 && length < (n - 1) * stride + width))
            throw new ArgumentException($"{n} rows of {width} values {stride} apart need {(n - 1) * stride + width} elements and {n} rescales; got {length} and {rescales.Length}.");
    }

    /// <summary>Sixteen or eight values of a row as floats: how the vector loops read fp16 rows and widened ones alike.</summary>
    private interface IRowLoader<T>
    {
        static abstract Vector512<float> Load16(ref T row, int i);
        static abstract Vector256<float> Load8(ref T row, int i);
    }

    private struct HalfRows : IRowLoader<ushort>
    {
        public static Vector512<float> Load16(ref ushort row, int i) => GgmlDot.Widen16(ref row, i);
        public static Vector256<float> Load8(ref ushort row, int i) =>
            HalfConvert.HalfToSingle(Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref row, (nuint)i)).AsUInt32());
    }

    private struct FloatRows : IRowLoader<float>
    {
        public static Vector512<float> Load16(ref float row, int i) => Vector512.LoadUnsafe(ref row, (nuint)i);
        public static Vector256<float> Load8(ref float row, int i) => Vector256.LoadUnsafe(ref row, (nuint)i);
    }

    private static void MultiplyAddRowsAvx512<T, TLoader>(ref T rows, int stride, ReadOnlySpan<float> rescales, ReadOnlySpan<float> weights, Span<float> acc)
        where TLoader : struct, IRowLoader<T>
    {
        int d = 0, width = acc.Length;
        for (; d + 64 <= width; d += 64)
            MultiplyAddRows64<T, TLoader>(ref rows, stride, d, rescales, weights, acc);
        for (; d < width; d += 16)
            MultiplyAddRows16<T, TLoader>(ref rows, stride, d, rescales, weights, acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyAddRows64<T, TLoader>(ref T r, int stride, int d, ReadOnlySpan<float> rescales, ReadOnlySpan<float> weights, Span<float> acc)
        where TLoader : struct, IRowLoader<T>
    {
        ref float a = ref MemoryMarshal.GetReference(acc);
        var a0 = Vector512.LoadUnsafe(ref a, (nuint)d);
        var a1 = Vector512.LoadUnsafe(ref a, (nuint)(d + 16));
        var a2 = Vector512.LoadUnsafe(ref a, (nuint)(d + 32));
        var a3 = Vector512.LoadUnsafe(ref a, (nuint)(d + 48));
        for (int j = 0; j < weights.Length; j++)
        {
            if (rescales[j] != 1f)
            {
                var m = Vector512.Create(rescales[j]);
                a0 = HalfRounding.RoundToHalf(a0 * m);
                a1 = HalfRounding.RoundToHalf(a1 * m);
                a2 = HalfRounding.RoundToHalf(a2 * m);
                a3 = HalfRounding.RoundToHalf(a3 * m);
            }
            var w = Vector512.Create(weights[j]);
            int o = j * stride + d;
            a0 = HalfRounding.RoundToHalf(Vector512.FusedMultiplyAdd(TLoader.Load16(ref r, o), w, a0));
            a1 = HalfRounding.RoundToHalf(Vector512.FusedMultiplyAdd(TLoader.Load16(ref r, o + 16), w, a1));
            a2 = HalfRounding.RoundToHalf(Vector512.FusedMultiplyAdd(TLoader.Load16(ref r, o + 32), w, a2));
            a3 = HalfRounding.RoundToHalf(Vector512.FusedMultiplyAdd(TLoader.Load16(ref r, o + 48), w, a3));
        }
        a0.StoreUnsafe(ref a, (nuint)d);
        a1.StoreUnsafe(ref a, (nuint)(d + 16));
        a2.StoreUnsafe(ref a, (nuint)(d + 32));
        a3.StoreUnsafe(ref a, (nuint)(d + 48));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyAddRows16<T, TLoader>(ref T r, int stride, int d, ReadOnlySpan<float> rescales, ReadOnlySpan<float> weights, Span<float> acc)
        where TLoader : struct, IRowLoader<T>
    {
        ref float a = ref MemoryMarshal.GetReference(acc);
        var a0 = Vector512.LoadUnsafe(ref a, (nuint)d);
        for (int j = 0; j < weights.Length; j++)
        {
            if (rescales[j] != 1f)
                a0 = HalfRounding.RoundToHalf(a0 * Vector512.Create(rescales[j]));
            a0 = HalfRounding.RoundToHalf(Vector512.FusedMultiplyAdd(TLoader.Load16(ref r, j * stride + d), Vector512.Create(weights[j]), a0));
        }
        a0.StoreUnsafe(ref a, (nuint)d);
    }

    /// <summary>acc[i] = half(acc[i] · scale) — <c>ggml_vec_scale_f16</c>.</summary>
    public static void Scale(Span<float> acc, float scale)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            ref float a = ref MemoryMarshal.GetReference(acc);
            var s = Vector512.Create(scale);
            for (; i + 16 <= acc.Length; i += 16)
                HalfRounding.RoundToHalf(Vector512.LoadUnsafe(ref a, (nuint)i) * s).StoreUnsafe(ref a, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            ref float a = ref MemoryMarshal.GetReference(acc);
            var s = Vector256.Create(scale);
            for (; i + 8 <= acc.Length; i += 8)
                HalfRounding.RoundToHalf(Vector256.LoadUnsafe(ref a, (nuint)i) * s).StoreUnsafe(ref a, (nuint)i);
        }
        ScaleReference(acc[i..], scale);
    }

    /// <summary>The scalar definition of <see cref="MultiplyAdd"/>.</summary>
    internal static void MultiplyAddReference(ReadOnlySpan<float> x, float scale, Span<float> acc)
    {
        for (int i = 0; i < x.Length; i++)
            acc[i] = RoundToHalf(MathF.FusedMultiplyAdd(x[i], scale, acc[i]));
    }

    /// <summary>The scalar definition of <see cref="Scale"/>.</summary>
    internal static void ScaleReference(Span<float> acc, float scale)
    {
        for (int i = 0; i < acc.Length; i++)
            acc[i] = RoundToHalf(acc[i] * scale);
    }

    private static float RoundToHalf(float x) => HalfConvert.HalfToSingle(HalfConvert.SingleToHalf(x));
}
