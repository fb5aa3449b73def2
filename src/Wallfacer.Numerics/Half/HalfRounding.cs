using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Wallfacer.Numerics;

/// <summary>
/// A float rounded to the nearest fp16 value and kept as a float: exactly
/// <c>HalfToSingle(SingleToHalf(x))</c> (round to nearest even, ±inf beyond the fp16 range, NaN becomes the canonical
/// quiet NaN with the input's sign) in about a third of the operations. llama.cpp's generation-path attention
/// rounds its value accumulator to fp16 after every key, so this sits on the longest dependency chain of a
/// generated token's attention: the float-to-half-and-back round trip without F16C (not exposed by .NET) costs
/// two dozen dependent operations.
/// </summary>
/// <remarks>
/// The rounding is one float addition: adding and subtracting <c>c = 2^(e + 13)</c>, where 2^e is the input's
/// power of two, leaves |x| rounded to a multiple of 2^(e − 10) — eleven significant bits, fp16's precision — with
/// the hardware's round-to-nearest-even. Below fp16's normal range (e &lt; −14) the exponent is held at −14, so the
/// step stays 2^−24, the subnormal spacing. Magnitudes from 65520 up round to infinity (fp16's largest finite value
/// is 65504), and NaN is canonicalised as the conversion does.
/// </remarks>
public static class HalfRounding
{
    private const uint MagnitudeMask = 0x7FFFFFFFu;
    private const uint ExponentMask = 0x7F800000u;
    private const uint SmallestNormalHalfExponent = 0x38800000u; // 2^-14
    private const uint ThirteenBinades = 13u << 23;              // × 2^13
    private const float OverflowThreshold = 65520f;              // rounds to +inf in fp16
    private const uint QuietNaN = 0x7FC00000u;                   // HalfToSingle(0x7E00)

    /// <summary>
    /// The bits of 65520f: magnitudes from here up (with ±inf and NaN above them as integers) are where
    /// <see cref="RoundToHalfInRange"/> may differ from <see cref="RoundToHalf(Vector256{float})"/>.
    /// </summary>
    public const uint FirstOutOfRangeBits = 0x477FF000u;

    /// <summary>x rounded to fp16 precision (scalar form of the vector methods, same operations).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float RoundToHalf(float x)
    {
        uint bits = BitConverter.SingleToUInt32Bits(x);
        uint sign = bits & ~MagnitudeMask;
        float magnitude = BitConverter.UInt32BitsToSingle(bits & MagnitudeMask);
        float c = BitConverter.UInt32BitsToSingle(Math.Max(bits & ExponentMask, SmallestNormalHalfExponent) + ThirteenBinades);
        float rounded = magnitude + c - c;
        uint result = float.IsNaN(x) ? QuietNaN
            : magnitude >= OverflowThreshold ? BitConverter.SingleToUInt32Bits(float.PositiveInfinity)
            : BitConverter.SingleToUInt32Bits(rounded);
        return BitConverter.UInt32BitsToSingle(sign | result);
    }

    /// <summary>Sixteen lanes of <see cref="RoundToHalf(float)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> RoundToHalf(Vector512<float> x)
    {
        Vector512<uint> bits = x.AsUInt32();
        Vector512<uint> sign = bits & Vector512.Create(~MagnitudeMask);
        Vector512<float> magnitude = (bits & Vector512.Create(MagnitudeMask)).AsSingle();
        Vector512<float> c = (Vector512.Max(bits & Vector512.Create(ExponentMask), Vector512.Create(SmallestNormalHalfExponent))
                              + Vector512.Create(ThirteenBinades)).AsSingle();
        Vector512<float> rounded = magnitude + c - c;
        rounded = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(magnitude, Vector512.Create(OverflowThreshold)),
            Vector512.Create(float.PositiveInfinity), rounded);
        rounded = Vector512.ConditionalSelect(Vector512.Equals(x, x), rounded, Vector512.Create(QuietNaN).AsSingle());
        return (sign | rounded.AsUInt32()).AsSingle();
    }

    /// <summary>Eight lanes of <see cref="RoundToHalf(float)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> RoundToHalf(Vector256<float> x)
    {
        Vector256<uint> bits = x.AsUInt32();
        Vector256<uint> sign = bits & Vector256.Create(~MagnitudeMask);
        Vector256<float> magnitude = (bits & Vector256.Create(MagnitudeMask)).AsSingle();
        Vector256<float> c = (Vector256.Max(bits & Vector256.Create(ExponentMask), Vector256.Create(SmallestNormalHalfExponent))
                              + Vector256.Create(ThirteenBinades)).AsSingle();
        Vector256<float> rounded = magnitude + c - c;
        rounded = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(magnitude, Vector256.Create(OverflowThreshold)),
            Vector256.Create(float.PositiveInfinity), rounded);
        rounded = Vector256.ConditionalSelect(Vector256.Equals(x, x), rounded, Vector256.Create(QuietNaN).AsSingle());
        return (sign | rounded.AsUInt32()).AsSingle();
    }

    /// <summary>
    /// <see cref="RoundToHalf(Vector256{float})"/> for lanes with |x| &lt; 65520 (not NaN) in 8 operations instead of 12:
    /// the same rounding addition without the overflow and NaN selects. For callers that have proven the bound
    /// beforehand; <see cref="RoundToHalfInRange(Vector256{float}, ref Vector256{uint})"/> checks it as it goes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> RoundToHalfInRange(Vector256<float> x) =>
        RoundInRange(x, x & Vector256.Create(MagnitudeMask).AsSingle());

    /// <summary>
    /// <see cref="RoundToHalfInRange(Vector256{float})"/> that also puts every lane's magnitude bits into
    /// <paramref name="largest"/> (an unsigned maximum): a caller that finds it below <see cref="FirstOutOfRangeBits"/>
    /// after a run of roundings knows each was exact, and otherwise redoes the run with the full rounding. NaN and
    /// infinity compare above the bound as integers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> RoundToHalfInRange(Vector256<float> x, ref Vector256<uint> largest)
    {
        Vector256<float> magnitude = x & Vector256.Create(MagnitudeMask).AsSingle();
        largest = Vector256.Max(largest, magnitude.AsUInt32());
        return RoundInRange(x, magnitude);
    }

    /// <summary>The in-range rounding of x given its <paramref name="magnitude"/> (x without the sign bit).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> RoundInRange(Vector256<float> x, Vector256<float> magnitude)
    {
        // Float-typed bitwise operations and a float maximum keep the chain in the floating-point domain (Zen
        // charges a cycle for each crossing between integer and float vector operations).
        Vector256<float> binade = Vector256.Max(x & Vector256.Create(ExponentMask).AsSingle(), Vector256.Create(SmallestNormalHalfExponent).AsSingle());
        Vector256<float> c = binade * Vector256.Create(8192f); // 2^13
        Vector256<float> rounded = magnitude + c - c;
        return rounded | (x ^ magnitude);
    }
}
