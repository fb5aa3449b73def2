using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Wallfacer.Numerics.Quants;

/// <summary>
/// The Q8_K activation quantizer with AVX2: the K-quant prompt kernels quantize every activation row of a batch, and
/// the scalar loop was about 2% of a MiniCPM-2B Q4_K_M prompt's time (perf, Zen 3), this loop a fifth of it.
/// Bit for bit <see cref="QuantizeReference"/>, for every input:
/// <list type="bullet">
/// <item>amax: <c>maxps</c> with the accumulator second, so a NaN element is skipped as the scalar <c>ax &gt; amax</c>
/// skips it; the scalar's <c>max</c> is the first element whose magnitude equals that amax.</item>
/// <item>quants: the same products and ggml's magic-number <c>nearest_int</c> on each lane, the same <c>min(127, ·)</c>,
/// then the low byte (a truncating narrow, as the scalar's cast).</item>
/// <item>bsums: sums of the stored bytes (16 per group).</item>
/// </list>
/// </summary>
internal static partial class BlockQ8K
{
    /// <summary>True when <see cref="Quantize256"/> runs (a JIT-time constant).</summary>
    internal static bool Use256
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256.IsHardwareAccelerated && Avx2.IsSupported;
    }

    private const int Vectors = BlockSize / 8;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void Quantize256(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int blocks = src.Length / BlockSize;
        if (dst.Length < blocks * BlockBytes)
            throw new ArgumentException("Destination too small for the Q8_K row.", nameof(dst));
        fixed (float* x0 = src)
        fixed (byte* o0 = dst)
        {
            for (int ib = 0; ib < blocks; ib++)
            {
                float* x = x0 + (long)ib * BlockSize;
                byte* block = o0 + (long)ib * BlockBytes;
                float amax = AbsMax(x);
                if (amax == 0)
                {
                    new Span<byte>(block, BlockBytes).Clear();
                    continue;
                }
                float max = FirstWithMagnitude(x, amax);
                float iscale = -127f / max;
                Quants(x, iscale, block + QsOffset);
                GroupSums(block + QsOffset, (short*)(block + BsumsOffset));
                BinaryPrimitives.WriteSingleLittleEndian(new Span<byte>(block, 4), 1 / iscale);
            }
        }
    }

    /// <summary>The largest |x| of the block, NaNs skipped (0 when all are zero or NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float AbsMax(float* x)
    {
        Vector256<float> m0 = Vector256<float>.Zero, m1 = Vector256<float>.Zero;
        for (int v = 0; v < Vectors; v += 2)
        {
            // maxps returns its second operand when either is NaN: the accumulator, so NaN lanes are passed over.
            m0 = Avx.Max(Vector256.Abs(Vector256.Load(x + 8 * v)), m0);
            m1 = Avx.Max(Vector256.Abs(Vector256.Load(x + 8 * v + 8)), m1);
        }
        Vector256<float> m = Avx.Max(m0, m1);
        Vector128<float> m4 = Sse.Max(m.GetLower(), m.GetUpper());
        return MathF.Max(MathF.Max(m4.GetElement(0), m4.GetElement(1)), MathF.Max(m4.GetElement(2), m4.GetElement(3)));
    }

    /// <summary>The first element whose magnitude is <paramref name="amax"/> (one exists: amax is one of them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float FirstWithMagnitude(float* x, float amax)
    {
        Vector256<float> target = Vector256.Create(amax);
        for (int v = 0; v < Vectors; v++)
        {
            uint hits = Vector256.Equals(Vector256.Abs(Vector256.Load(x + 8 * v)), target).ExtractMostSignificantBits();
            if (hits != 0)
                return x[8 * v + BitOperations.TrailingZeroCount(hits)];
        }
        throw new InvalidOperationException("Unreachable: amax is the magnitude of one of the block's elements.");
    }

    /// <summary>q = (sbyte)min(127, nearest_int(iscale·x)) for the 256 elements, with ggml's magic-number rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Quants(float* x, float iscale, byte* qs)
    {
        Vector256<float> scale = Vector256.Create(iscale), magic = Vector256.Create(12582912f);
        Vector256<int> mantissa = Vector256.Create(0x007FFFFF), offset = Vector256.Create(0x00400000), top = Vector256.Create(127);
        for (int v = 0; v < Vectors; v += 4)
        {
            Vector256<short> ab = Vector256.Narrow(
                Nearest(Vector256.Load(x + 8 * v), scale, magic, mantissa, offset, top),
                Nearest(Vector256.Load(x + 8 * v + 8), scale, magic, mantissa, offset, top));
            Vector256<short> cd = Vector256.Narrow(
                Nearest(Vector256.Load(x + 8 * v + 16), scale, magic, mantissa, offset, top),
                Nearest(Vector256.Load(x + 8 * v + 24), scale, magic, mantissa, offset, top));
            Vector256.Narrow(ab, cd).Store((sbyte*)qs + 8 * v);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Nearest(Vector256<float> x, Vector256<float> scale, Vector256<float> magic,
        Vector256<int> mantissa, Vector256<int> offset, Vector256<int> top) =>
        Vector256.Min(((scale * x + magic).AsInt32() & mantissa) - offset, top);

    /// <summary>The 16 int16 sums of each group of 16 stored quants.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void GroupSums(byte* qs, short* bsums)
    {
        Vector256<sbyte> ones = Vector256.Create((sbyte)1);
        Vector256<short> onesWide = Vector256.Create((short)1);
        for (int g = 0; g < 16; g += 8)
        {
            // Each 32-byte load is two groups; maddubs(1, q) then madd(·, 1) leaves four partial sums of four per group.
            Vector256<int> s0 = Quads(qs + 16 * g, ones, onesWide), s1 = Quads(qs + 16 * g + 32, ones, onesWide);
            Vector256<int> s2 = Quads(qs + 16 * g + 64, ones, onesWide), s3 = Quads(qs + 16 * g + 96, ones, onesWide);
            // Two rounds of pairwise additions within each 128-bit lane finish the sums of four.
            Vector256<int> h01 = Avx2.HorizontalAdd(s0, s1), h23 = Avx2.HorizontalAdd(s2, s3);
            Vector256<int> sums = Avx2.HorizontalAdd(h01, h23);
            // sums: low half = groups g, g+2, g+4, g+6 (the first 16 bytes of each load); high half = g+1, g+3, g+5, g+7.
            Vector128<int> even = sums.GetLower(), odd = sums.GetUpper();
            Vector128<int> lo = Sse2.UnpackLow(even, odd), hi = Sse2.UnpackHigh(even, odd); // g, g+1, g+2, g+3 | g+4 … g+7
            Sse2.PackSignedSaturate(lo, hi).Store(bsums + g);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<int> Quads(byte* q, Vector256<sbyte> ones, Vector256<short> onesWide) =>
        Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(ones.AsByte(), Vector256.Load((sbyte*)q)), onesWide);
}
