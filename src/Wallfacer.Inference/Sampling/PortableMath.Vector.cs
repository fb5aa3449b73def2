using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Wallfacer.Inference.Sampling;

/// <summary>
/// <see cref="Exp(double)"/> over many values at once. Every lane runs exactly the scalar algorithm — the same
/// IEEE operations (+, −, ×, ÷, floor, truncation of an integer-valued double) in the same order, the same
/// constants, the same special cases — so each result is bit-identical to <see cref="Exp(double)"/>, which stays
/// the reference (used for tails, and for the whole span when no vector hardware is available).
/// </summary>
/// <remarks>
/// The JIT does not contract vector <c>a * b + c</c> into a fused multiply-add any more than scalar code (fusing
/// is only done for the explicit <c>FusedMultiplyAdd</c> intrinsics), so the rounding steps written here are the
/// ones run. 2^k is built from bits without float↔int conversion instructions (AVX2 has none for 64-bit lanes):
/// adding 1.5·2^52 to an integer-valued double leaves the integer in the low mantissa bits, and shifting
/// (bits + 1023) left by 52 discards the 0x4338 exponent above it. Tests compare every width with the scalar code
/// at odd lengths, on special values and with hardware features switched off.
/// </remarks>
internal static partial class PortableMath
{
    private const double IntegerShifter = 6755399441055744.0; // 1.5 · 2^52

    /// <summary>
    /// <c>destination[i] = Exp((double)values[i] − shift)</c>, bit-identical to the scalar <see cref="Exp(double)"/>
    /// on every lane. The subtraction is the one callers write as <c>logit − max</c> with a double max.
    /// </summary>
    public static void ExpShifted(ReadOnlySpan<float> values, double shift, Span<double> destination)
    {
        if (destination.Length < values.Length) throw new ArgumentException("The destination is shorter than the values.", nameof(destination));
        int i = 0;
        ref float x = ref MemoryMarshal.GetReference(values);
        ref double d = ref MemoryMarshal.GetReference(destination);
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<double> s = Vector512.Create(shift);
            for (; i + 2 * Vector512<float>.Count <= values.Length; i += 2 * Vector512<float>.Count)
            {
                (Vector512<double> a, Vector512<double> b) = Vector512.Widen(Vector512.LoadUnsafe(ref x, (nuint)i));
                (Vector512<double> c, Vector512<double> e) = Vector512.Widen(Vector512.LoadUnsafe(ref x, (nuint)(i + Vector512<float>.Count)));
                a -= s; b -= s; c -= s; e -= s;
                Exp4(ref a, ref b, ref c, ref e);
                a.StoreUnsafe(ref d, (nuint)i);
                b.StoreUnsafe(ref d, (nuint)(i + Vector512<double>.Count));
                c.StoreUnsafe(ref d, (nuint)(i + 2 * Vector512<double>.Count));
                e.StoreUnsafe(ref d, (nuint)(i + 3 * Vector512<double>.Count));
            }

            for (; i + Vector512<float>.Count <= values.Length; i += Vector512<float>.Count)
            {
                (Vector512<double> lo, Vector512<double> hi) = Vector512.Widen(Vector512.LoadUnsafe(ref x, (nuint)i));
                Exp(lo - s).StoreUnsafe(ref d, (nuint)i);
                Exp(hi - s).StoreUnsafe(ref d, (nuint)(i + Vector512<double>.Count));
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<double> s = Vector256.Create(shift);
            for (; i + 2 * Vector256<float>.Count <= values.Length; i += 2 * Vector256<float>.Count)
            {
                (Vector256<double> a, Vector256<double> b) = Vector256.Widen(Vector256.LoadUnsafe(ref x, (nuint)i));
                (Vector256<double> c, Vector256<double> e) = Vector256.Widen(Vector256.LoadUnsafe(ref x, (nuint)(i + Vector256<float>.Count)));
                a -= s; b -= s; c -= s; e -= s;
                Exp4(ref a, ref b, ref c, ref e);
                a.StoreUnsafe(ref d, (nuint)i);
                b.StoreUnsafe(ref d, (nuint)(i + Vector256<double>.Count));
                c.StoreUnsafe(ref d, (nuint)(i + 2 * Vector256<double>.Count));
                e.StoreUnsafe(ref d, (nuint)(i + 3 * Vector256<double>.Count));
            }

            for (; i + Vector256<float>.Count <= values.Length; i += Vector256<float>.Count)
            {
                (Vector256<double> lo, Vector256<double> hi) = Vector256.Widen(Vector256.LoadUnsafe(ref x, (nuint)i));
                Exp(lo - s).StoreUnsafe(ref d, (nuint)i);
                Exp(hi - s).StoreUnsafe(ref d, (nuint)(i + Vector256<double>.Count));
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            Vector128<double> s = Vector128.Create(shift);
            for (; i + Vector128<float>.Count <= values.Length; i += Vector128<float>.Count)
            {
                (Vector128<double> lo, Vector128<double> hi) = Vector128.Widen(Vector128.LoadUnsafe(ref x, (nuint)i));
                Exp(lo - s).StoreUnsafe(ref d, (nuint)i);
                Exp(hi - s).StoreUnsafe(ref d, (nuint)(i + Vector128<double>.Count));
            }
        }

        for (; i < values.Length; i++) destination[i] = Exp(values[i] - shift);
    }

    /// <summary><see cref="Exp(double)"/> on each of 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<double> Exp(Vector512<double> x)
    {
        Vector512<double> k = Vector512.Floor(x * Log2E + Vector512.Create(0.5));
        Vector512<double> r = (x - k * Ln2High) - k * Ln2Low;

        Vector512<double> p = Vector512.Create(1.0 / 6227020800.0);
        p = p * r + Vector512.Create(1.0 / 479001600.0);
        p = p * r + Vector512.Create(1.0 / 39916800.0);
        p = p * r + Vector512.Create(1.0 / 3628800.0);
        p = p * r + Vector512.Create(1.0 / 362880.0);
        p = p * r + Vector512.Create(1.0 / 40320.0);
        p = p * r + Vector512.Create(1.0 / 5040.0);
        p = p * r + Vector512.Create(1.0 / 720.0);
        p = p * r + Vector512.Create(1.0 / 120.0);
        p = p * r + Vector512.Create(1.0 / 24.0);
        p = p * r + Vector512.Create(1.0 / 6.0);
        p = p * r + Vector512.Create(0.5);
        p = p * r + Vector512<double>.One;
        p = p * r + Vector512<double>.One;

        // ScaleByPowerOfTwo: (int)k / 2 truncates toward zero, as Truncate(k · 0.5) does; k − half is exact.
        Vector512<double> half = Vector512.Truncate(k * 0.5);
        return Special(x, p * PowerOfTwo(half) * PowerOfTwo(k - half));
    }

    /// <summary><see cref="Exp(double)"/> on each of 4 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<double> Exp(Vector256<double> x)
    {
        Vector256<double> k = Vector256.Floor(x * Log2E + Vector256.Create(0.5));
        Vector256<double> r = (x - k * Ln2High) - k * Ln2Low;

        Vector256<double> p = Vector256.Create(1.0 / 6227020800.0);
        p = p * r + Vector256.Create(1.0 / 479001600.0);
        p = p * r + Vector256.Create(1.0 / 39916800.0);
        p = p * r + Vector256.Create(1.0 / 3628800.0);
        p = p * r + Vector256.Create(1.0 / 362880.0);
        p = p * r + Vector256.Create(1.0 / 40320.0);
        p = p * r + Vector256.Create(1.0 / 5040.0);
        p = p * r + Vector256.Create(1.0 / 720.0);
        p = p * r + Vector256.Create(1.0 / 120.0);
        p = p * r + Vector256.Create(1.0 / 24.0);
        p = p * r + Vector256.Create(1.0 / 6.0);
        p = p * r + Vector256.Create(0.5);
        p = p * r + Vector256<double>.One;
        p = p * r + Vector256<double>.One;

        Vector256<double> half = Vector256.Truncate(k * 0.5);
        return Special(x, p * PowerOfTwo(half) * PowerOfTwo(k - half));
    }

    /// <summary><see cref="Exp(double)"/> on each of 2 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<double> Exp(Vector128<double> x)
    {
        Vector128<double> k = Vector128.Floor(x * Log2E + Vector128.Create(0.5));
        Vector128<double> r = (x - k * Ln2High) - k * Ln2Low;

        Vector128<double> p = Vector128.Create(1.0 / 6227020800.0);
        p = p * r + Vector128.Create(1.0 / 479001600.0);
        p = p * r + Vector128.Create(1.0 / 39916800.0);
        p = p * r + Vector128.Create(1.0 / 3628800.0);
        p = p * r + Vector128.Create(1.0 / 362880.0);
        p = p * r + Vector128.Create(1.0 / 40320.0);
        p = p * r + Vector128.Create(1.0 / 5040.0);
        p = p * r + Vector128.Create(1.0 / 720.0);
        p = p * r + Vector128.Create(1.0 / 120.0);
        p = p * r + Vector128.Create(1.0 / 24.0);
        p = p * r + Vector128.Create(1.0 / 6.0);
        p = p * r + Vector128.Create(0.5);
        p = p * r + Vector128<double>.One;
        p = p * r + Vector128<double>.One;

        Vector128<double> half = Vector128.Truncate(k * 0.5);
        return Special(x, p * PowerOfTwo(half) * PowerOfTwo(k - half));
    }

    /// <summary>The scalar code's special cases: NaN stays NaN, above the range +∞, below it 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> Special(Vector128<double> x, Vector128<double> result)
    {
        result = Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128.Create(MaxExpArgument)), Vector128.Create(double.PositiveInfinity), result);
        result = Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128.Create(MinExpArgument)), Vector128<double>.Zero, result);
        return Vector128.ConditionalSelect(Vector128.Equals(x, x), result, Vector128.Create(double.NaN));
    }

    /// <summary>
    /// <see cref="Exp(Vector512{double})"/> on four vectors, step by step in lockstep: the same operations per lane,
    /// written so that four independent Horner chains sit side by side and the core overlaps their latencies.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Exp4(ref Vector512<double> x0, ref Vector512<double> x1, ref Vector512<double> x2, ref Vector512<double> x3)
    {
        Vector512<double> a0 = x0, a1 = x1, a2 = x2, a3 = x3;
        Vector512<double> log2E = Vector512.Create(Log2E), half = Vector512.Create(0.5);
        Vector512<double> k0 = Vector512.Floor(a0 * log2E + half);
        Vector512<double> k1 = Vector512.Floor(a1 * log2E + half);
        Vector512<double> k2 = Vector512.Floor(a2 * log2E + half);
        Vector512<double> k3 = Vector512.Floor(a3 * log2E + half);
        Vector512<double> r0 = (a0 - k0 * Ln2High) - k0 * Ln2Low;
        Vector512<double> r1 = (a1 - k1 * Ln2High) - k1 * Ln2Low;
        Vector512<double> r2 = (a2 - k2 * Ln2High) - k2 * Ln2Low;
        Vector512<double> r3 = (a3 - k3 * Ln2High) - k3 * Ln2Low;
        Vector512<double> c = Vector512.Create(1.0 / 6227020800.0);
        Vector512<double> p0 = c, p1 = c, p2 = c, p3 = c;
        c = Vector512.Create(1.0 / 479001600.0);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        c = Vector512.Create(1.0 / 39916800.0);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        c = Vector512.Create(1.0 / 3628800.0);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        c = Vector512.Create(1.0 / 362880.0);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        c = Vector512.Create(1.0 / 40320.0);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        c = Vector512.Create(1.0 / 5040.0);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        c = Vector512.Create(1.0 / 720.0);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        c = Vector512.Create(1.0 / 120.0);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        c = Vector512.Create(1.0 / 24.0);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        c = Vector512.Create(1.0 / 6.0);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        c = Vector512.Create(0.5);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        c = Vector512.Create(1.0);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        c = Vector512.Create(1.0);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        Vector512<double> h0 = Vector512.Truncate(k0 * 0.5);
        Vector512<double> h1 = Vector512.Truncate(k1 * 0.5);
        Vector512<double> h2 = Vector512.Truncate(k2 * 0.5);
        Vector512<double> h3 = Vector512.Truncate(k3 * 0.5);
        x0 = Special(a0, p0 * PowerOfTwo(h0) * PowerOfTwo(k0 - h0));
        x1 = Special(a1, p1 * PowerOfTwo(h1) * PowerOfTwo(k1 - h1));
        x2 = Special(a2, p2 * PowerOfTwo(h2) * PowerOfTwo(k2 - h2));
        x3 = Special(a3, p3 * PowerOfTwo(h3) * PowerOfTwo(k3 - h3));
    }

    /// <summary>The scalar code's special cases: NaN stays NaN, above the range +∞, below it 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Special(Vector512<double> x, Vector512<double> result)
    {
        result = Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(MaxExpArgument)), Vector512.Create(double.PositiveInfinity), result);
        result = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(MinExpArgument)), Vector512<double>.Zero, result);
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), result, Vector512.Create(double.NaN));
    }

    /// <summary>
    /// <see cref="Exp(Vector256{double})"/> on four vectors, step by step in lockstep: the same operations per lane,
    /// written so that four independent Horner chains sit side by side and the core overlaps their latencies.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Exp4(ref Vector256<double> x0, ref Vector256<double> x1, ref Vector256<double> x2, ref Vector256<double> x3)
    {
        Vector256<double> a0 = x0, a1 = x1, a2 = x2, a3 = x3;
        Vector256<double> log2E = Vector256.Create(Log2E), half = Vector256.Create(0.5);
        Vector256<double> k0 = Vector256.Floor(a0 * log2E + half);
        Vector256<double> k1 = Vector256.Floor(a1 * log2E + half);
        Vector256<double> k2 = Vector256.Floor(a2 * log2E + half);
        Vector256<double> k3 = Vector256.Floor(a3 * log2E + half);
        Vector256<double> r0 = (a0 - k0 * Ln2High) - k0 * Ln2Low;
        Vector256<double> r1 = (a1 - k1 * Ln2High) - k1 * Ln2Low;
        Vector256<double> r2 = (a2 - k2 * Ln2High) - k2 * Ln2Low;
        Vector256<double> r3 = (a3 - k3 * Ln2High) - k3 * Ln2Low;
        Vector256<double> c = Vector256.Create(1.0 / 6227020800.0);
        Vector256<double> p0 = c, p1 = c, p2 = c, p3 = c;
        c = Vector256.Create(1.0 / 479001600.0);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        c = Vector256.Create(1.0 / 39916800.0);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        c = Vector256.Create(1.0 / 3628800.0);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        c = Vector256.Create(1.0 / 362880.0);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        c = Vector256.Create(1.0 / 40320.0);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        c = Vector256.Create(1.0 / 5040.0);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        c = Vector256.Create(1.0 / 720.0);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        c = Vector256.Create(1.0 / 120.0);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        c = Vector256.Create(1.0 / 24.0);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        c = Vector256.Create(1.0 / 6.0);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        c = Vector256.Create(0.5);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        c = Vector256.Create(1.0);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        c = Vector256.Create(1.0);
        p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
        Vector256<double> h0 = Vector256.Truncate(k0 * 0.5);
        Vector256<double> h1 = Vector256.Truncate(k1 * 0.5);
        Vector256<double> h2 = Vector256.Truncate(k2 * 0.5);
        Vector256<double> h3 = Vector256.Truncate(k3 * 0.5);
        x0 = Special(a0, p0 * PowerOfTwo(h0) * PowerOfTwo(k0 - h0));
        x1 = Special(a1, p1 * PowerOfTwo(h1) * PowerOfTwo(k1 - h1));
        x2 = Special(a2, p2 * PowerOfTwo(h2) * PowerOfTwo(k2 - h2));
        x3 = Special(a3, p3 * PowerOfTwo(h3) * PowerOfTwo(k3 - h3));
    }

    /// <summary>The scalar code's special cases: NaN stays NaN, above the range +∞, below it 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Special(Vector256<double> x, Vector256<double> result)
    {
        result = Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(MaxExpArgument)), Vector256.Create(double.PositiveInfinity), result);
        result = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(MinExpArgument)), Vector256<double>.Zero, result);
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), result, Vector256.Create(double.NaN));
    }

    /// <summary>2^k for integer-valued k in [−1022, 1023] (garbage elsewhere; such lanes are selected away).</summary>
    private static Vector512<double> PowerOfTwo(Vector512<double> k) =>
        Vector512.ShiftLeft((k + Vector512.Create(IntegerShifter)).AsInt64() + Vector512.Create(1023L), 52).AsDouble();

    private static Vector256<double> PowerOfTwo(Vector256<double> k) =>
        Vector256.ShiftLeft((k + Vector256.Create(IntegerShifter)).AsInt64() + Vector256.Create(1023L), 52).AsDouble();

    private static Vector128<double> PowerOfTwo(Vector128<double> k) =>
        Vector128.ShiftLeft((k + Vector128.Create(IntegerShifter)).AsInt64() + Vector128.Create(1023L), 52).AsDouble();
}
