using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// The AVX2 form of <see cref="MultiplyAddRows(ReadOnlySpan{float}, int, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
/// and its fp16-row twin. The accumulator stays in registers across all the rows, 64 lanes at a time, and each update
/// is rounded with <see cref="HalfRounding.RoundToHalfInRange(Vector256{float})"/>, which leaves out the full rounding's
/// overflow and NaN selects — exact while no value reaches 65520. An accumulator of attention values never comes near
/// that, and two ways make sure of it:
/// <list type="bullet">
/// <item>Rows already widened to float: a bound computed before the loop from the largest row value, the weights'
/// sum and the starting accumulator (<see cref="ProvablyBelowOverflow"/>) proves it for the whole call, so the loop
/// is the FMA and the eight rounding operations alone. That is the generation path (grouped-query heads share a
/// widened chunk) and the longest dependency chain of a generated token's attention.</item>
/// <item>Otherwise the loop also keeps the largest magnitude it rounded, and a block that ever reached the bound (or
/// NaN) is redone with the full rounding from its untouched starting values.</item>
/// </list>
/// Either way the results are the bits of the scalar definition.
/// </summary>
public static partial class HalfAccumulator
{
    /// <summary>AVX2 with FMA, and rows that split into whole vectors of eight.</summary>
    private static bool UseRows256(int width) =>
        width % 8 == 0 && Vector256.IsHardwareAccelerated && Fma.IsSupported && Avx2.IsSupported;

    /// <summary>The float-row entry: the proven loop when the bound holds, the checked one otherwise.</summary>
    private static void MultiplyAddRows256(ReadOnlySpan<float> rows, int stride, float rowsMagnitude, ReadOnlySpan<float> rescales, ReadOnlySpan<float> weights, Span<float> acc)
    {
        ref float r = ref MemoryMarshal.GetReference(rows);
        if (ProvablyBelowOverflow(rowsMagnitude, rescales, weights, acc))
            MultiplyAddRows256<float, FloatRows, Proven>(ref r, stride, rescales, weights, acc);
        else
            MultiplyAddRows256<float, FloatRows, Checked>(ref r, stride, rescales, weights, acc);
    }

    /// <summary>
    /// True when no value of the updates can reach 65520. With every |rescale| ≤ 1, row values at most
    /// <paramref name="rowsMagnitude"/> = M in magnitude and the accumulator starting at most A, after j rows
    /// |acc| ≤ (A + M·Σ|w|)·(1 + 2^-10)^(2j): each key has at most two updates (the rescale and the multiply-add),
    /// each rounded to float and then to fp16, which together grow a magnitude by less than 2^-10 relative, and the fp16
    /// subnormal range adds absolute errors of 2^-25 at most (the +1 covers them). NaN or infinity anywhere makes the bound NaN or infinite, and the answer false.
    /// </summary>
    private static bool ProvablyBelowOverflow(float rowsMagnitude, ReadOnlySpan<float> rescales, ReadOnlySpan<float> weights, Span<float> acc)
    {
        int n = weights.Length;
        float growth = MathF.Exp(2f * n / 1024f) * 1.001f; // ≥ (1 + 2^-10)^(2n)
        float bound = (Magnitude.Largest(acc) + MathF.Abs(rowsMagnitude) * TensorPrimitives.SumOfMagnitudes(weights)) * growth + 1f;
        return Magnitude.Largest(rescales) <= 1f && bound < 65504f;
    }

    /// <summary>How a loop rounds: proven in range beforehand, or checked as it goes.</summary>
    private interface IRangeRounding
    {
        static abstract bool Checks { get; }
        static abstract Vector256<float> Round(Vector256<float> x, ref Vector256<uint> largest);
    }

    private struct Proven : IRangeRounding
    {
        public static bool Checks => false;
        public static Vector256<float> Round(Vector256<float> x, ref Vector256<uint> largest) => HalfRounding.RoundToHalfInRange(x);
    }

    private struct Checked : IRangeRounding
    {
        public static bool Checks => true;
        public static Vector256<float> Round(Vector256<float> x, ref Vector256<uint> largest) => HalfRounding.RoundToHalfInRange(x, ref largest);
    }

    private static void MultiplyAddRows256<T, TLoader, TRound>(ref T rows, int stride, ReadOnlySpan<float> rescales, ReadOnlySpan<float> weights, Span<float> acc)
        where TLoader : struct, IRowLoader<T>
        where TRound : struct, IRangeRounding
    {
        int d = 0, width = acc.Length;
        for (; d + 64 <= width; d += 64)
            if (!TryRows64<T, TLoader, TRound>(ref rows, stride, d, rescales, weights, acc))
                ExactRows8<T, TLoader>(ref rows, stride, d, 64, rescales, weights, acc);
        for (; d < width; d += 8)
            if (!TryRows8<T, TLoader, TRound>(ref rows, stride, d, rescales, weights, acc))
                ExactRows8<T, TLoader>(ref rows, stride, d, 8, rescales, weights, acc);
    }

    /// <summary>Lanes [d, d + 64) over every row; false (acc untouched) if a checked lane left the range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryRows64<T, TLoader, TRound>(ref T r, int stride, int d, ReadOnlySpan<float> rescales, ReadOnlySpan<float> weights, Span<float> acc)
        where TLoader : struct, IRowLoader<T>
        where TRound : struct, IRangeRounding
    {
        ref float a = ref MemoryMarshal.GetReference(acc);
        var a0 = Vector256.LoadUnsafe(ref a, (nuint)d);
        var a1 = Vector256.LoadUnsafe(ref a, (nuint)(d + 8));
        var a2 = Vector256.LoadUnsafe(ref a, (nuint)(d + 16));
        var a3 = Vector256.LoadUnsafe(ref a, (nuint)(d + 24));
        var a4 = Vector256.LoadUnsafe(ref a, (nuint)(d + 32));
        var a5 = Vector256.LoadUnsafe(ref a, (nuint)(d + 40));
        var a6 = Vector256.LoadUnsafe(ref a, (nuint)(d + 48));
        var a7 = Vector256.LoadUnsafe(ref a, (nuint)(d + 56));
        Vector256<uint> largest = Vector256<uint>.Zero;
        for (int j = 0; j < weights.Length; j++)
        {
            if (rescales[j] != 1f)
            {
                var m = Vector256.Create(rescales[j]);
                a0 = TRound.Round(a0 * m, ref largest);
                a1 = TRound.Round(a1 * m, ref largest);
                a2 = TRound.Round(a2 * m, ref largest);
                a3 = TRound.Round(a3 * m, ref largest);
                a4 = TRound.Round(a4 * m, ref largest);
                a5 = TRound.Round(a5 * m, ref largest);
                a6 = TRound.Round(a6 * m, ref largest);
                a7 = TRound.Round(a7 * m, ref largest);
            }
            var w = Vector256.Create(weights[j]);
            int o = j * stride + d;
            a0 = TRound.Round(Fma.MultiplyAdd(TLoader.Load8(ref r, o), w, a0), ref largest);
            a1 = TRound.Round(Fma.MultiplyAdd(TLoader.Load8(ref r, o + 8), w, a1), ref largest);
            a2 = TRound.Round(Fma.MultiplyAdd(TLoader.Load8(ref r, o + 16), w, a2), ref largest);
            a3 = TRound.Round(Fma.MultiplyAdd(TLoader.Load8(ref r, o + 24), w, a3), ref largest);
            a4 = TRound.Round(Fma.MultiplyAdd(TLoader.Load8(ref r, o + 32), w, a4), ref largest);
            a5 = TRound.Round(Fma.MultiplyAdd(TLoader.Load8(ref r, o + 40), w, a5), ref largest);
            a6 = TRound.Round(Fma.MultiplyAdd(TLoader.Load8(ref r, o + 48), w, a6), ref largest);
            a7 = TRound.Round(Fma.MultiplyAdd(TLoader.Load8(ref r, o + 56), w, a7), ref largest);
        }
        if (TRound.Checks && !InRange(largest))
            return false;
        a0.StoreUnsafe(ref a, (nuint)d);
        a1.StoreUnsafe(ref a, (nuint)(d + 8));
        a2.StoreUnsafe(ref a, (nuint)(d + 16));
        a3.StoreUnsafe(ref a, (nuint)(d + 24));
        a4.StoreUnsafe(ref a, (nuint)(d + 32));
        a5.StoreUnsafe(ref a, (nuint)(d + 40));
        a6.StoreUnsafe(ref a, (nuint)(d + 48));
        a7.StoreUnsafe(ref a, (nuint)(d + 56));
        return true;
    }

    /// <summary><see cref="TryRows64{T, TLoader, TRound}"/> for eight lanes (widths that are not a multiple of 64).</summary>
    private static bool TryRows8<T, TLoader, TRound>(ref T r, int stride, int d, ReadOnlySpan<float> rescales, ReadOnlySpan<float> weights, Span<float> acc)
        where TLoader : struct, IRowLoader<T>
        where TRound : struct, IRangeRounding
    {
        ref float a = ref MemoryMarshal.GetReference(acc);
        var a0 = Vector256.LoadUnsafe(ref a, (nuint)d);
        Vector256<uint> largest = Vector256<uint>.Zero;
        for (int j = 0; j < weights.Length; j++)
        {
            if (rescales[j] != 1f)
                a0 = TRound.Round(a0 * Vector256.Create(rescales[j]), ref largest);
            a0 = TRound.Round(Fma.MultiplyAdd(TLoader.Load8(ref r, j * stride + d), Vector256.Create(weights[j]), a0), ref largest);
        }
        if (TRound.Checks && !InRange(largest))
            return false;
        a0.StoreUnsafe(ref a, (nuint)d);
        return true;
    }

    /// <summary>Lanes [d, d + <paramref name="count"/>) over every row with the full rounding (overflow to infinity, NaN).</summary>
    private static void ExactRows8<T, TLoader>(ref T r, int stride, int d, int count, ReadOnlySpan<float> rescales, ReadOnlySpan<float> weights, Span<float> acc)
        where TLoader : struct, IRowLoader<T>
    {
        ref float a = ref MemoryMarshal.GetReference(acc);
        for (int e = d; e < d + count; e += 8)
        {
            var a0 = Vector256.LoadUnsafe(ref a, (nuint)e);
            for (int j = 0; j < weights.Length; j++)
            {
                if (rescales[j] != 1f)
                    a0 = HalfRounding.RoundToHalf(a0 * Vector256.Create(rescales[j]));
                a0 = HalfRounding.RoundToHalf(Fma.MultiplyAdd(TLoader.Load8(ref r, j * stride + e), Vector256.Create(weights[j]), a0));
            }
            a0.StoreUnsafe(ref a, (nuint)e);
        }
    }

    private static bool InRange(Vector256<uint> largest) =>
        !Vector256.GreaterThanOrEqualAny(largest, Vector256.Create(HalfRounding.FirstOutOfRangeBits));
}
