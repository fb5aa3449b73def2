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

    /// <summary>
    /// A <c>vgf2p8affineqb</c> bit matrix (one quadword) that keeps each byte's low nibble: result bit k is source bit k
    /// for k &lt; 4 (matrix byte 7 − k selects the source bits of result bit k), the high four bits are 0.
    /// </summary>
    public const ulong LowNibbleMatrix = 0x01_02_04_08_00_00_00_00;

    /// <summary>The bit matrix that moves each byte's high nibble down: result bit k is source bit k + 4 for k &lt; 4.</summary>
    public const ulong HighNibbleMatrix = 0x10_20_40_80_00_00_00_00;

    /// <summary>
    /// Per quadword, the low or the high nibble of every byte of <paramref name="bytes"/>, as <paramref name="matrices"/>
    /// (<see cref="LowNibbleMatrix"/> or <see cref="HighNibbleMatrix"/> per quadword) says: one GFNI affine
    /// transform where a per-word shift and a mask take two instructions. The fallback (no GFNI) is that pair, with
    /// <paramref name="shifts"/> 0 or 4 per word and <paramref name="lowNibble"/> 0x0F per byte; both give the same bytes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> NibblesByQuadword(Vector512<byte> bytes, Vector512<byte> matrices, Vector512<ushort> shifts, Vector512<byte> lowNibble) =>
        Gfni.V512.IsSupported
            ? Gfni.V512.GaloisFieldAffineTransform(bytes, matrices, 0)
            : Avx512BW.ShiftRightLogicalVariable(bytes.AsUInt16(), shifts).AsByte() & lowNibble;

    /// <summary>32 packed bytes → 64 nibbles: per 16-byte half, low nibbles then high nibbles (two Q4_0-style blocks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> SplitNibblePair(Vector128<byte> first, Vector128<byte> second) =>
        Vector512.Create(SplitNibbles(first), SplitNibbles(second));
}
