using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Wallfacer.Numerics;

/// <summary>
/// IEEE binary16 (fp16) and bfloat16 conversions, bit-identical with ggml (ggml/src/ggml-impl.h,
/// <c>ggml_compute_fp16_to_fp32</c>, <c>ggml_compute_fp32_to_fp16</c>, <c>ggml_compute_fp32_to_bf16</c>).
/// </summary>
/// <remarks>
/// fp16 uses Maratyszcza's FP16 bit tricks as ggml does: float → half rounds to nearest, ties to even
/// (as F16C's <c>vcvtps2ph</c>), overflow gives ±inf, and every NaN becomes the canonical quiet NaN
/// <c>0x7E00</c> with the input's sign. half → float is exact; a signalling NaN comes out quiet.
/// bf16 keeps the upper 16 bits of the float after round-to-nearest-even; a NaN is truncated and quieted
/// (bit 6 set), never rounded to infinity.
/// </remarks>
public static class HalfConvert
{
    private const uint ExpOffset = 0xE0u << 23;        // re-biases a half exponent into float range
    private const uint ExpScaleBits = 0x07800000u;     // 2^-112
    private const uint MagicMask = 126u << 23;         // 0.5f: denormals are built as 0.5 + m * 2^-24 ...
    private const float MagicBias = 0.5f;              // ... and the 0.5 is subtracted again
    private const uint DenormalCutoff = 1u << 27;      // two_w below this: zero or subnormal half
    private const uint ScaleToInfBits = 0x77800000u;   // 2^112
    private const uint ScaleToZeroBits = 0x08800000u;  // 2^-110

    /// <summary>Converts an fp16 bit pattern to float (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float HalfToSingle(ushort h)
    {
        uint w = (uint)h << 16;
        uint sign = w & 0x80000000u;
        uint twoW = w + w;
        float normalized = BitConverter.UInt32BitsToSingle((twoW >> 4) + ExpOffset) * BitConverter.UInt32BitsToSingle(ExpScaleBits);
        float denormalized = BitConverter.UInt32BitsToSingle((twoW >> 17) | MagicMask) - MagicBias;
        uint magnitude = twoW < DenormalCutoff ? BitConverter.SingleToUInt32Bits(denormalized) : BitConverter.SingleToUInt32Bits(normalized);
        return BitConverter.UInt32BitsToSingle(sign | magnitude);
    }

    /// <summary>Converts a float to fp16 bits, rounding to nearest even (see the type remarks for NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort SingleToHalf(float f)
    {
        // The float addition below performs the rounding: adding a power of two whose ulp equals the
        // half's ulp leaves the rounded half mantissa in the low bits (ggml_compute_fp32_to_fp16).
        float @base = MathF.Abs(f) * BitConverter.UInt32BitsToSingle(ScaleToInfBits) * BitConverter.UInt32BitsToSingle(ScaleToZeroBits);
        uint w = BitConverter.SingleToUInt32Bits(f);
        uint shl1W = w + w;
        uint sign = w & 0x80000000u;
        uint bias = shl1W & 0xFF000000u;
        if (bias < 0x71000000u)
            bias = 0x71000000u;
        @base = BitConverter.UInt32BitsToSingle((bias >> 1) + 0x07800000u) + @base;
        uint bits = BitConverter.SingleToUInt32Bits(@base);
        uint expBits = (bits >> 13) & 0x00007C00u;
        uint mantissaBits = bits & 0x00000FFFu;
        uint nonSign = expBits + mantissaBits;
        return (ushort)((sign >> 16) | (shl1W > 0xFF000000u ? 0x7E00u : nonSign));
    }

    /// <summary>Converts bfloat16 bits to float (exact: bf16 is the upper half of a float).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float BFloat16ToSingle(ushort b) => BitConverter.UInt32BitsToSingle((uint)b << 16);

    /// <summary>Converts a float to bfloat16 bits: round to nearest even; NaN truncated and quieted.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort SingleToBFloat16(float f)
    {
        uint u = BitConverter.SingleToUInt32Bits(f);
        if ((u & 0x7FFFFFFFu) > 0x7F800000u)
            return (ushort)((u >> 16) | 64);
        return (ushort)((u + (0x7FFFu + ((u >> 16) & 1))) >> 16);
    }

    /// <summary>Converts <paramref name="src"/> (fp16 bits) into <paramref name="dst"/> (same length).</summary>
    public static void HalfToSingle(ReadOnlySpan<ushort> src, Span<float> dst)
    {
        CheckLengths(src.Length, dst.Length);
        int i = 0;
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
        {
            ref ushort s = ref MemoryMarshal.GetReference(src);
            ref float d = ref MemoryMarshal.GetReference(dst);
            for (; i + 16 <= src.Length; i += 16)
                Widen16(ref s, (nuint)i).StoreUnsafe(ref d, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            ref ushort s = ref MemoryMarshal.GetReference(src);
            ref float d = ref MemoryMarshal.GetReference(dst);
            for (; i + 16 <= src.Length; i += 16)
            {
                Vector256<ushort> h = Vector256.LoadUnsafe(ref s, (nuint)i);
                HalfToSingle(Vector256.WidenLower(h)).StoreUnsafe(ref d, (nuint)i);
                HalfToSingle(Vector256.WidenUpper(h)).StoreUnsafe(ref d, (nuint)(i + 8));
            }
        }
        for (; i < src.Length; i++)
            dst[i] = HalfToSingle(src[i]);
    }

    /// <summary>
    /// Widens <paramref name="rows"/> rows of <paramref name="width"/> fp16 values, <paramref name="stride"/> apart in
    /// <paramref name="src"/>, into consecutive rows of <paramref name="dst"/> (a head's slice of a chunk of KV cache
    /// cells); each value exactly as <see cref="HalfToSingle(ushort)"/>.
    /// </summary>
    public static void HalfToSingleRows(ReadOnlySpan<ushort> src, int stride, int width, int rows, Span<float> dst)
    {
        if (rows > 0 && (stride < width || src.Length < (rows - 1) * stride + width || dst.Length < rows * width))
            throw new ArgumentException($"{rows} rows of {width} values {stride} apart need {(rows - 1) * stride + width} source and {rows * width} destination elements; got {src.Length} and {dst.Length}.");
        ref ushort s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        if (!(Vector512.IsHardwareAccelerated && Avx512F.IsSupported) && Avx2.IsSupported && width % 8 == 0)
        {
            // Eight at a time straight from the strided rows (the generation path's chunk of keys or values).
            for (int j = 0; j < rows; j++)
            {
                if (j + RowsAhead < rows)
                    PrefetchRow(ref Unsafe.Add(ref s, (j + RowsAhead) * stride), width);
                for (int i = 0; i < width; i += 8)
                    HalfToSingle(Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref s, (nuint)(j * stride + i))).AsUInt32())
                        .StoreUnsafe(ref d, (nuint)(j * width + i));
            }
            return;
        }
        if (!(Vector512.IsHardwareAccelerated && Avx512F.IsSupported) || width % 16 != 0)
        {
            for (int j = 0; j < rows; j++)
                HalfToSingle(src.Slice(j * stride, width), dst.Slice(j * width, width));
            return;
        }
        for (int j = 0; j < rows; j++)
        {
            for (int i = 0; i < width; i += 16)
                Widen16(ref s, (nuint)(j * stride + i)).StoreUnsafe(ref d, (nuint)(j * width + i));
        }
    }

    /// <summary>
    /// How far ahead <see cref="HalfToSingleRows"/> prefetches. One head's rows of a KV cache lie a whole cell apart
    /// (4.5 KiB in MiniCPM-2B, whose 36 heads each have their own keys), so every row is on another 4 KiB page, where
    /// the hardware prefetchers stop: without this, each row was a memory round trip, and widening took as long as
    /// all of the token's weight reads at 512 cells.
    /// </summary>
    private const int RowsAhead = 8;

    /// <summary>Asks for the cache lines of a row of <paramref name="width"/> halves (a hint; never faults).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchRow(ref ushort row, int width)
    {
        byte* p = (byte*)Unsafe.AsPointer(ref row); // a hint only: a stale address after a GC move costs nothing
        for (int b = 0; b < 2 * width; b += 64)
            Sse.Prefetch0(p + b);
        Sse.Prefetch0(p + 2 * width - 1);
    }

    /// <summary>Sixteen fp16 values from <c>s[i]</c> as floats (AVX-512).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Widen16(ref ushort s, nuint i) =>
        HalfToSingle(Avx512F.ConvertToVector512UInt32(Vector256.LoadUnsafe(ref s, i)));

    /// <summary>Converts floats into fp16 bits (same length), exactly as <see cref="SingleToHalf(float)"/>.</summary>
    public static void SingleToHalf(ReadOnlySpan<float> src, Span<ushort> dst)
    {
        CheckLengths(src.Length, dst.Length);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float s = ref MemoryMarshal.GetReference(src);
            ref ushort d = ref MemoryMarshal.GetReference(dst);
            for (; i + 16 <= src.Length; i += 16)
            {
                Vector256<uint> lo = SingleToHalf(Vector256.LoadUnsafe(ref s, (nuint)i));
                Vector256<uint> hi = SingleToHalf(Vector256.LoadUnsafe(ref s, (nuint)(i + 8)));
                Vector256.Narrow(lo, hi).StoreUnsafe(ref d, (nuint)i);
            }
        }
        for (; i < src.Length; i++)
            dst[i] = SingleToHalf(src[i]);
    }

    /// <summary>Converts bf16 bits into floats (same length).</summary>
    public static void BFloat16ToSingle(ReadOnlySpan<ushort> src, Span<float> dst)
    {
        CheckLengths(src.Length, dst.Length);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref ushort s = ref MemoryMarshal.GetReference(src);
            ref float d = ref MemoryMarshal.GetReference(dst);
            for (; i + 16 <= src.Length; i += 16)
            {
                Vector256<ushort> h = Vector256.LoadUnsafe(ref s, (nuint)i);
                Vector256.ShiftLeft(Vector256.WidenLower(h), 16).AsSingle().StoreUnsafe(ref d, (nuint)i);
                Vector256.ShiftLeft(Vector256.WidenUpper(h), 16).AsSingle().StoreUnsafe(ref d, (nuint)(i + 8));
            }
        }
        for (; i < src.Length; i++)
            dst[i] = BFloat16ToSingle(src[i]);
    }

    /// <summary>Converts floats into bf16 bits (same length), exactly as <see cref="SingleToBFloat16(float)"/>.</summary>
    public static void SingleToBFloat16(ReadOnlySpan<float> src, Span<ushort> dst)
    {
        CheckLengths(src.Length, dst.Length);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float s = ref MemoryMarshal.GetReference(src);
            ref ushort d = ref MemoryMarshal.GetReference(dst);
            for (; i + 16 <= src.Length; i += 16)
            {
                Vector256<uint> lo = SingleToBFloat16(Vector256.LoadUnsafe(ref s, (nuint)i).AsUInt32());
                Vector256<uint> hi = SingleToBFloat16(Vector256.LoadUnsafe(ref s, (nuint)(i + 8)).AsUInt32());
                Vector256.Narrow(lo, hi).StoreUnsafe(ref d, (nuint)i);
            }
        }
        for (; i < src.Length; i++)
            dst[i] = SingleToBFloat16(src[i]);
    }

    /// <summary>Eight halves (in the low 16 bits of each lane; the high bits are ignored) to eight floats.</summary>
    /// <remarks>The short path of <see cref="HalfToSingle(Vector512{uint})"/>, for the AVX2 row kernels.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> HalfToSingle(Vector256<uint> h)
    {
        Vector256<uint> magnitude = Vector256.ShiftLeft(h, 13) & Vector256.Create(0x0FFFE000u);
        if (Vector256.GreaterThanOrEqualAny(magnitude, Vector256.Create(0x0F800000u)))
            return HalfToSingleWithSpecials(h); // inlined: a call here would cost the callers' loops their registers
        // Normal halves: the exponent rebiased in the integer domain. Subnormal halves (and zero): mantissa × 2^-24, an
        // exact product of normal floats. (Multiplying the shifted bits by 2^112, as the 512-bit form does, feeds a
        // subnormal float to the multiplier when the half is subnormal, and that runs far slower on Zen 3: K-quant
        // super-block scales of real models are often subnormal halves — Q6_K's row kernel read 7.9 instead of 17.1
        // GB/s with weights of magnitude 0.02.)
        Vector256<uint> normal = magnitude + Vector256.Create(112u << 23);
        Vector256<float> subnormal = Vector256.ConvertToSingle((h & Vector256.Create(0x3FFu)).AsInt32()) * Vector256.Create(1f / 16777216f);
        Vector256<uint> isSubnormal = Vector256.LessThan(magnitude.AsInt32(), Vector256.Create(0x00800000)).AsUInt32();
        Vector256<uint> value = Vector256.ConditionalSelect(isSubnormal, subnormal.AsUInt32(), normal);
        return (value | (Vector256.ShiftLeft(h, 16) & Vector256.Create(0x80000000u))).AsSingle();
    }

    /// <summary><see cref="HalfToSingle(Vector256{uint})"/> for any halves: the scalar algorithm lane-wise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> HalfToSingleWithSpecials(Vector256<uint> h)
    {
        Vector256<uint> w = Vector256.ShiftLeft(h, 16);
        Vector256<uint> sign = w & Vector256.Create(0x80000000u);
        Vector256<uint> twoW = w + w;
        Vector256<float> normalized = (Vector256.ShiftRightLogical(twoW, 4) + Vector256.Create(ExpOffset)).AsSingle()
            * Vector256.Create(ExpScaleBits).AsSingle();
        Vector256<float> denormalized = (Vector256.ShiftRightLogical(twoW, 17) | Vector256.Create(MagicMask)).AsSingle()
            - Vector256.Create(MagicBias);
        Vector256<uint> isDenormal = Vector256.LessThan(twoW, Vector256.Create(DenormalCutoff));
        Vector256<uint> magnitude = Vector256.ConditionalSelect(isDenormal, denormalized.AsUInt32(), normalized.AsUInt32());
        return (sign | magnitude).AsSingle();
    }

    /// <summary>Sixteen halves (in the low 16 bits of each lane; the high bits are ignored) to sixteen floats.</summary>
    /// <remarks>
    /// Zero, subnormal and normal halves take a short path: normal ones have their magnitude bits moved to the float's
    /// position and the exponent rebiased (integer operations), subnormal ones become mantissa × 2^-24 (an exact
    /// product of normal floats; the former single multiplication of the moved bits by 2^112 had a subnormal operand
    /// for them, which x86 cores run far slower — and K-quant scales of real models are often subnormal halves).
    /// That matters in the row kernels that widen a block scale per 32 weights. Infinities and NaNs (never a quantized
    /// block's scale) take the general algorithm.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> HalfToSingle(Vector512<uint> h)
    {
        Vector512<uint> magnitude = Vector512.ShiftLeft(h, 13) & Vector512.Create(0x0FFFE000u);
        if (Vector512.GreaterThanOrEqualAny(magnitude, Vector512.Create(0x0F800000u)))
            return HalfToSingleWithSpecials(h); // inlined: a call here would cost the callers' loops their registers
        // As the 8-lane form: no subnormal float arithmetic (subnormal halves as mantissa × 2^-24).
        Vector512<uint> normal = magnitude + Vector512.Create(112u << 23);
        Vector512<float> subnormal = Vector512.ConvertToSingle((h & Vector512.Create(0x3FFu)).AsInt32()) * Vector512.Create(1f / 16777216f);
        Vector512<uint> isSubnormal = Vector512.LessThan(magnitude.AsInt32(), Vector512.Create(0x00800000)).AsUInt32();
        Vector512<uint> value = Vector512.ConditionalSelect(isSubnormal, subnormal.AsUInt32(), normal);
        return (value | (Vector512.ShiftLeft(h, 16) & Vector512.Create(0x80000000u))).AsSingle();
    }

    /// <summary><see cref="HalfToSingle(Vector512{uint})"/> for any halves: the scalar algorithm lane-wise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> HalfToSingleWithSpecials(Vector512<uint> h)
    {
        Vector512<uint> w = Vector512.ShiftLeft(h, 16);
        Vector512<uint> sign = w & Vector512.Create(0x80000000u);
        Vector512<uint> twoW = w + w;
        Vector512<float> normalized = (Vector512.ShiftRightLogical(twoW, 4) + Vector512.Create(ExpOffset)).AsSingle()
            * Vector512.Create(ExpScaleBits).AsSingle();
        Vector512<float> denormalized = (Vector512.ShiftRightLogical(twoW, 17) | Vector512.Create(MagicMask)).AsSingle()
            - Vector512.Create(MagicBias);
        Vector512<uint> isDenormal = Vector512.LessThan(twoW, Vector512.Create(DenormalCutoff));
        Vector512<uint> magnitude = Vector512.ConditionalSelect(isDenormal, denormalized.AsUInt32(), normalized.AsUInt32());
        return (sign | magnitude).AsSingle();
    }

    /// <summary>Eight floats to eight halves (in the low 16 bits of each lane); the scalar algorithm lane-wise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<uint> SingleToHalf(Vector256<float> f)
    {
        Vector256<float> @base = Vector256.Abs(f) * Vector256.Create(ScaleToInfBits).AsSingle() * Vector256.Create(ScaleToZeroBits).AsSingle();
        Vector256<uint> w = f.AsUInt32();
        Vector256<uint> shl1W = w + w;
        Vector256<uint> sign = w & Vector256.Create(0x80000000u);
        Vector256<uint> bias = Vector256.Max(shl1W & Vector256.Create(0xFF000000u), Vector256.Create(0x71000000u));
        @base = (Vector256.ShiftRightLogical(bias, 1) + Vector256.Create(0x07800000u)).AsSingle() + @base;
        Vector256<uint> bits = @base.AsUInt32();
        Vector256<uint> nonSign = (Vector256.ShiftRightLogical(bits, 13) & Vector256.Create(0x7C00u)) + (bits & Vector256.Create(0xFFFu));
        Vector256<uint> isNaN = Vector256.GreaterThan(shl1W, Vector256.Create(0xFF000000u));
        return Vector256.ShiftRightLogical(sign, 16) | Vector256.ConditionalSelect(isNaN, Vector256.Create(0x7E00u), nonSign);
    }

    /// <summary>Sixteen floats to sixteen halves (in the low 16 bits of each lane); the scalar algorithm lane-wise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<uint> SingleToHalf(Vector512<float> f)
    {
        Vector512<float> @base = Vector512.Abs(f) * Vector512.Create(ScaleToInfBits).AsSingle() * Vector512.Create(ScaleToZeroBits).AsSingle();
        Vector512<uint> w = f.AsUInt32();
        Vector512<uint> shl1W = w + w;
        Vector512<uint> sign = w & Vector512.Create(0x80000000u);
        Vector512<uint> bias = Vector512.Max(shl1W & Vector512.Create(0xFF000000u), Vector512.Create(0x71000000u));
        @base = (Vector512.ShiftRightLogical(bias, 1) + Vector512.Create(0x07800000u)).AsSingle() + @base;
        Vector512<uint> bits = @base.AsUInt32();
        Vector512<uint> nonSign = (Vector512.ShiftRightLogical(bits, 13) & Vector512.Create(0x7C00u)) + (bits & Vector512.Create(0xFFFu));
        Vector512<uint> isNaN = Vector512.GreaterThan(shl1W, Vector512.Create(0xFF000000u));
        return Vector512.ShiftRightLogical(sign, 16) | Vector512.ConditionalSelect(isNaN, Vector512.Create(0x7E00u), nonSign);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> SingleToBFloat16(Vector256<uint> u)
    {
        Vector256<uint> isNaN = Vector256.GreaterThan(u & Vector256.Create(0x7FFFFFFFu), Vector256.Create(0x7F800000u));
        Vector256<uint> quieted = Vector256.ShiftRightLogical(u, 16) | Vector256.Create(64u);
        Vector256<uint> rounded = Vector256.ShiftRightLogical(u + Vector256.Create(0x7FFFu) + (Vector256.ShiftRightLogical(u, 16) & Vector256<uint>.One), 16);
        return Vector256.ConditionalSelect(isNaN, quieted, rounded);
    }

    private static void CheckLengths(int srcLength, int dstLength)
    {
        if (srcLength != dstLength)
            throw new ArgumentException($"Source has {srcLength} elements but destination has {dstLength}; they must be equal.");
    }
}
