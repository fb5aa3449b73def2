using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Wallfacer.Numerics.Quants;

/// <summary>
/// The 128-bit int8 multiply-accumulate for machines without 256-bit vectors (Arm64 NEON, or x64 with AVX2
/// switched off): Arm's <c>sdot</c> when present, else SSSE3 <c>pmaddubsw</c>, else portable widening. Only
/// the total over all four lanes is defined (lanes group bytes differently per path); integer sums are exact.
/// </summary>
internal static partial class VecDotInt8
{
    /// <summary>acc + Σ x·y for signed x in [−128, 127] and signed y in [−127, 127].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> DotSigned(Vector128<int> acc, Vector128<sbyte> x, Vector128<sbyte> y)
    {
        if (Dp.IsSupported)
            return Dp.DotProduct(acc, x, y);
        if (Ssse3.IsSupported)
            return DotUnsignedSsse3(acc, Ssse3.Abs(x), Ssse3.Sign(y, x));
        return acc + Portable(x, y);
    }

    /// <summary>acc + Σ x·y for unsigned x in [0, 127] and signed y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> DotUnsigned(Vector128<int> acc, Vector128<byte> x, Vector128<sbyte> y)
    {
        if (Dp.IsSupported)
            return Dp.DotProduct(acc, x.AsSByte(), y); // x ≤ 127 reads the same as signed
        if (Ssse3.IsSupported)
            return DotUnsignedSsse3(acc, x, y);
        return acc + Portable(x.AsSByte(), y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> DotUnsignedSsse3(Vector128<int> acc, Vector128<byte> x, Vector128<sbyte> y) =>
        acc + Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(x, y), Vector128<short>.One);

    /// <summary>Width-agnostic fallback: widen to int16, multiply, fold into four lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<int> Portable(Vector128<sbyte> x, Vector128<sbyte> y)
    {
        Vector128<short> lo = Vector128.WidenLower(x) * Vector128.WidenLower(y);
        Vector128<short> hi = Vector128.WidenUpper(x) * Vector128.WidenUpper(y);
        return Vector128.WidenLower(lo) + Vector128.WidenUpper(lo) + (Vector128.WidenLower(hi) + Vector128.WidenUpper(hi));
    }

    /// <summary>acc + sums·scale (float), fused where the hardware can.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Accumulate(Vector128<float> acc, Vector128<int> sums, float scale) =>
        Vector128.MultiplyAddEstimate(Vector128.ConvertToSingle(sums), Vector128.Create(scale), acc);

    /// <summary>The low (<paramref name="high"/> false) or high nibbles of 16 packed bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Nibbles(Vector128<byte> packed, bool high) =>
        high ? Vector128.ShiftRightLogical(packed, 4) : packed & Vector128.Create((byte)0x0F);

    /// <summary>16 bits → 16 bytes, 0xFF where bit i of <paramref name="bits"/> is set (byte i).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> ExpandBits(ushort bits)
    {
        Vector128<byte> spread = Vector128.Create((byte)bits, (byte)bits, (byte)bits, (byte)bits, (byte)bits, (byte)bits, (byte)bits, (byte)bits,
            (byte)(bits >> 8), (byte)(bits >> 8), (byte)(bits >> 8), (byte)(bits >> 8), (byte)(bits >> 8), (byte)(bits >> 8), (byte)(bits >> 8), (byte)(bits >> 8));
        Vector128<byte> mask = Vector128.Create(0x8040201008040201ul).AsByte();
        return Vector128.Equals(spread & mask, mask);
    }
}
