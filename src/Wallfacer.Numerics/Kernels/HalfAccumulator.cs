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
public static class HalfAccumulator
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
                HalfConvert.HalfToSingle(HalfConvert.SingleToHalf(r)).StoreUnsafe(ref a, (nuint)i);
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
                HalfConvert.HalfToSingle(HalfConvert.SingleToHalf(r)).StoreUnsafe(ref a, (nuint)i);
            }
        }
        for (; i < x.Length; i++)
            acc[i] = RoundToHalf(MathF.FusedMultiplyAdd(HalfConvert.HalfToSingle(x[i]), scale, acc[i]));
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
                HalfConvert.HalfToSingle(HalfConvert.SingleToHalf(Vector512.LoadUnsafe(ref a, (nuint)i) * s)).StoreUnsafe(ref a, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            ref float a = ref MemoryMarshal.GetReference(acc);
            var s = Vector256.Create(scale);
            for (; i + 8 <= acc.Length; i += 8)
                HalfConvert.HalfToSingle(HalfConvert.SingleToHalf(Vector256.LoadUnsafe(ref a, (nuint)i) * s)).StoreUnsafe(ref a, (nuint)i);
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
