using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Wallfacer.Numerics.Quants;

/// <summary>
/// The int8 multiply-accumulate every quantized dot product is built on: 32 byte pairs in, eight int32
/// partial sums out. Lanes 0–3 hold sums over bytes 0–15 and lanes 4–7 over bytes 16–31 (true of every
/// path), so callers may weight the two 16-element halves with different scales. Integer sums are exact,
/// so every path gives the same total.
/// </summary>
internal static partial class VecDotInt8
{
    /// <summary>acc + Σ x·y for signed x in [−128, 127] and signed y in [−127, 127].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> DotSigned(Vector256<int> acc, Vector256<sbyte> x, Vector256<sbyte> y)
    {
        if (Avx2.IsSupported)
        {
            // u8×s8 instructions need an unsigned left operand: move x's sign onto y (ggml's trick).
            Vector256<byte> ax = Avx2.Abs(x);
            Vector256<sbyte> sy = Avx2.Sign(y, x);
            return DotUnsignedX86(acc, ax, sy);
        }
        return acc + Portable(x, y);
    }

    /// <summary>acc + Σ x·y for unsigned x in [0, 127] and signed y; no sign handling needed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> DotUnsigned(Vector256<int> acc, Vector256<byte> x, Vector256<sbyte> y)
    {
        if (Avx2.IsSupported)
            return DotUnsignedX86(acc, x, y);
        return acc + Portable(x.AsSByte(), y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> DotUnsignedX86(Vector256<int> acc, Vector256<byte> x, Vector256<sbyte> y)
    {
        if (AvxVnni.IsSupported)
            return AvxVnni.MultiplyWideningAndAdd(acc, x, y);
        // Two products per int16 cannot saturate: |x| ≤ 128 and |y| ≤ 127 give at most 32512.
        Vector256<short> pairs = Avx2.MultiplyAddAdjacent(x, y);
        return acc + Avx2.MultiplyAddAdjacent(pairs, Vector256<short>.One);
    }

    /// <summary>Width-agnostic fallback: widen to int16, multiply, fold each 16-byte half into four lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<int> Portable(Vector256<sbyte> x, Vector256<sbyte> y)
    {
        Vector256<short> lo = Vector256.WidenLower(x) * Vector256.WidenLower(y);
        Vector256<short> hi = Vector256.WidenUpper(x) * Vector256.WidenUpper(y);
        return Vector256.Create(FoldHalf(lo), FoldHalf(hi));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> FoldHalf(Vector256<short> products)
    {
        Vector256<int> wide = Vector256.WidenLower(products) + Vector256.WidenUpper(products);
        return wide.GetLower() + wide.GetUpper();
    }

    /// <summary>Eight int32 lanes times a different int scale per 16-byte half.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> HalfScales(int lowScale, int highScale) =>
        Vector256.Create(Vector128.Create(lowScale), Vector128.Create(highScale));

    /// <summary>acc + sums·scale (float), fused where the hardware can.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Accumulate(Vector256<float> acc, Vector256<int> sums, float scale) =>
        Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(sums), Vector256.Create(scale), acc);

    /// <summary>Reads the fp16 at byte <paramref name="offset"/> (unaligned) as float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LoadHalf(ref byte row, nuint offset) =>
        HalfConvert.HalfToSingle(Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref row, offset)));

    /// <summary>16 packed bytes → 32 nibbles: low nibbles are elements 0–15, high nibbles 16–31 (Q4_0/Q4_1/Q5_x order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> SplitNibbles(Vector128<byte> packed) =>
        Vector256.Create(packed & Vector128.Create((byte)0x0F), Vector128.ShiftRightLogical(packed, 4));

    /// <summary>32 bits → 32 bytes, 0xFF where bit i of <paramref name="bits"/> is set (byte i).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> ExpandBits(uint bits)
    {
        Vector256<byte> broadcast = Vector256.Create(bits).AsByte();
        Vector256<byte> index = Vector256.Create(
            (byte)0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
        // Every 128-bit lane holds all four bytes of the broadcast, so the in-lane vpshufb suffices.
        Vector256<byte> spread = Avx2.IsSupported ? Avx2.Shuffle(broadcast, index) : Vector256.Shuffle(broadcast, index);
        Vector256<byte> mask = Vector256.Create(0x8040201008040201ul).AsByte();
        return Vector256.Equals(spread & mask, mask);
    }
}
