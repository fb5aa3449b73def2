using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Wallfacer.Numerics.Quants;

/// <summary>
/// The 512-bit int8 multiply-accumulate. .NET 10 exposes no 512-bit VNNI (<c>vpdpbusd zmm</c>), so products
/// take <c>vpmaddubsw</c> + <c>vpmaddwd</c> (benchmarks.md, "Note for kernels"). Each 128-bit lane of the
/// result holds the sums over the matching 16 input bytes, as in the 256-bit helpers.
/// </summary>
internal static partial class VecDotInt8
{
    /// <summary>True when the 512-bit kernels should run (a JIT-time constant).</summary>
    public static bool Use512
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.IsHardwareAccelerated && Avx512BW.IsSupported;
    }

    /// <summary>acc + Σ x·y for signed x in [−128, 127] and signed y in [−127, 127].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> DotSigned(Vector512<int> acc, Vector512<sbyte> x, Vector512<sbyte> y)
    {
        // No vpsignb at 512 bits: negate y under the mask of negative x instead.
        Vector512<byte> ax = Avx512BW.Abs(x);
        Vector512<sbyte> sy = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<sbyte>.Zero), Vector512<sbyte>.Zero - y, y);
        return DotUnsigned(acc, ax, sy);
    }

    /// <summary>acc + Σ x·y for unsigned x in [0, 128] and signed y in [−127, 127] (no int16 saturation).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> DotUnsigned(Vector512<int> acc, Vector512<byte> x, Vector512<sbyte> y)
    {
        Vector512<short> pairs = Avx512BW.MultiplyAddAdjacent(x, y);
        return acc + Avx512BW.MultiplyAddAdjacent(pairs, Vector512<short>.One);
    }

    /// <summary>Two 32-byte loads (e.g. the quants of two consecutive blocks) as one vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> LoadPair(ref byte row, nuint first, nuint second) =>
        Vector512.Create(Vector256.LoadUnsafe(ref row, first), Vector256.LoadUnsafe(ref row, second));

    /// <summary>
    /// Two 32-byte loads as one vector. <c>Vector512.Create(lower, upper)</c> goes through the stack in .NET 10's
    /// codegen; an insert into the widened lower half is one <c>vinserti64x4</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector512<byte> Join(byte* lower, byte* upper) =>
        Avx512F.InsertVector256(Vector256.Load(lower).ToVector512Unsafe(), Vector256.Load(upper), 1);

    /// <summary>
    /// The 32 bytes at <paramref name="p"/> in both 256-bit halves: one broadcast load (<c>vbroadcasti32x8</c>), where
    /// <see cref="Join"/> of one address costs a load, a register copy and an insert. Not the <c>ulong*</c> overload
    /// of <see cref="Avx512F"/>: .NET 10 encodes its <c>vbroadcasti64x4</c> with a compressed displacement scaled
    /// for 16 bytes instead of 32, so <c>[reg + 0xA0]</c> reads at <c>reg + 0x140</c> (TwiceTests pins this).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector512<byte> Twice(byte* p) =>
        Avx512DQ.IsSupported ? Avx512DQ.BroadcastVector256ToVector512((int*)p).AsByte() : Join(p, p);

    /// <summary>Sixteen int32 lanes with one int scale per 16-byte quarter.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> QuarterScales(int s0, int s1, int s2, int s3) =>
        Vector512.Create(HalfScales(s0, s1), HalfScales(s2, s3));

    /// <summary>acc + sums·(lowScale in the low 256 bits, highScale in the high 256 bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Accumulate(Vector512<float> acc, Vector512<int> sums, float lowScale, float highScale) =>
        Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(sums), Vector512.Create(Vector256.Create(lowScale), Vector256.Create(highScale)), acc);

    /// <summary>32 packed bytes → 64 nibbles: per 16-byte half, low nibbles then high nibbles (two Q4_0-style blocks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> SplitNibblePair(Vector128<byte> first, Vector128<byte> second) =>
        Vector512.Create(SplitNibbles(first), SplitNibbles(second));
}
