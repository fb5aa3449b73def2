using System.Runtime.Intrinsics;

namespace Wallfacer.Numerics.Tests;

/// <summary>fp16 checked against the BCL's <see cref="Half"/> (an independent IEEE implementation); bf16 against a double-precision oracle.</summary>
public sealed class HalfConvertTests
{
    [Fact]
    public void Every_half_widens_exactly()
    {
        for (int h = 0; h <= ushort.MaxValue; h++)
        {
            float ours = HalfConvert.HalfToSingle((ushort)h);
            float bcl = (float)BitConverter.UInt16BitsToHalf((ushort)h);
            if (float.IsNaN(bcl))
            {
                Assert.True(float.IsNaN(ours), $"0x{h:X4} should be NaN");
                Assert.Equal(h >> 15, (int)(BitConverter.SingleToUInt32Bits(ours) >> 31));
                Assert.True((BitConverter.SingleToUInt32Bits(ours) & 0x00400000) != 0, "NaN must come out quiet");
            }
            else
            {
                Assert.Equal(BitConverter.SingleToUInt32Bits(bcl), BitConverter.SingleToUInt32Bits(ours));
            }
        }
    }

    [Fact]
    public void The_table_holds_the_scalar_widening_of_every_half()
    {
        // The one-token K-quant kernels take their block scales from this table: each entry, NaN payloads included,
        // must be the scalar conversion's bits.
        for (int h = 0; h <= ushort.MaxValue; h++)
            Assert.Equal(BitConverter.SingleToUInt32Bits(HalfConvert.HalfToSingle((ushort)h)),
                BitConverter.SingleToUInt32Bits(HalfTable.ToSingle((ushort)h)));
    }

    [Fact]
    public void The_vector_widenings_equal_the_scalar_one_for_every_half()
    {
        // The row kernels' short path: normal halves rebiased as integers, subnormal ones (K-quant scales of real models
        // often are) as mantissa × 2^-24, infinities and NaNs through the general algorithm; a vector mixes all kinds.
        if (!Vector256.IsHardwareAccelerated)
            return;
        var lanes = new float[8];
        for (int h = 0; h <= ushort.MaxValue; h += 8)
        {
            var halves = Vector256.Create(
                (uint)h, (uint)(h + 1), (uint)(h + 2), (uint)(h + 3), (uint)(h + 4), (uint)(h + 5), (uint)(h + 6), (uint)(h + 7));
            HalfConvert.HalfToSingle(halves).CopyTo(lanes);
            for (int l = 0; l < 8; l++)
                Assert.Equal(BitConverter.SingleToUInt32Bits(HalfConvert.HalfToSingle((ushort)(h + l))), BitConverter.SingleToUInt32Bits(lanes[l]));
        }
        // The 16-lane form (AVX-512 machines; emulated where Vector512 is not accelerated, so it is checked everywhere).
        var wide = new float[16];
        for (int h = 0; h <= ushort.MaxValue; h += 16)
        {
            HalfConvert.HalfToSingle(Vector512.Create(Enumerable.Range(h, 16).Select(v => (uint)v).ToArray())).CopyTo(wide);
            for (int l = 0; l < 16; l++)
                Assert.Equal(BitConverter.SingleToUInt32Bits(HalfConvert.HalfToSingle((ushort)(h + l))), BitConverter.SingleToUInt32Bits(wide[l]));
        }
        // Subnormal and normal halves in one vector, the high 16 bits of each lane ignored.
        var mixed = Vector256.Create(0x0001u, 0x8001u, 0x03FFu, 0x0400u, 0x3C00u, 0xFFFF0200u, 0x0000u, 0x8000u);
        HalfConvert.HalfToSingle(mixed).CopyTo(lanes);
        Assert.Equal([5.9604645e-8f, -5.9604645e-8f, 6.0975552e-5f, 6.1035156e-5f, 1f, 3.0517578e-5f, 0f, -0f], lanes);
    }

    [Fact]
    public void Narrowing_rounds_to_nearest_even_like_ieee()
    {
        foreach (float f in InterestingFloats())
        {
            ushort ours = HalfConvert.SingleToHalf(f);
            if (float.IsNaN(f))
            {
                Assert.Equal((ushort)(0x7E00 | (BitConverter.SingleToUInt32Bits(f) >> 31 << 15)), ours);
                continue;
            }
            ushort bcl = BitConverter.HalfToUInt16Bits((Half)f);
            Assert.True(bcl == ours, $"{f:R} (0x{BitConverter.SingleToUInt32Bits(f):X8}): ours 0x{ours:X4}, IEEE 0x{bcl:X4}");
        }
    }

    [Theory]
    [InlineData(1.00048828125f, 0x3C00)]   // 1 + 2^-11: a tie, rounds to even (1.0)
    [InlineData(1.00146484375f, 0x3C02)]   // 1 + 3·2^-11: a tie, rounds up to even
    [InlineData(65504f, 0x7BFF)]           // largest half
    [InlineData(65519.99f, 0x7BFF)]        // just under the rounding boundary
    [InlineData(65520f, 0x7C00)]           // rounds to infinity
    [InlineData(5.9604645e-8f, 0x0001)]    // smallest subnormal
    [InlineData(2.9802322e-8f, 0x0000)]    // half of it: tie to even (zero)
    [InlineData(-0f, 0x8000)]
    public void Narrowing_special_values(float f, int expected) => Assert.Equal((ushort)expected, HalfConvert.SingleToHalf(f));

    [Fact]
    public void BFloat16_round_trips_every_pattern_and_rounds_to_nearest_even()
    {
        for (int b = 0; b <= ushort.MaxValue; b++)
        {
            float f = HalfConvert.BFloat16ToSingle((ushort)b);
            Assert.Equal((uint)b << 16, BitConverter.SingleToUInt32Bits(f));
            if (!float.IsNaN(f))
                Assert.Equal((ushort)b, HalfConvert.SingleToBFloat16(f));
        }
        foreach (float f in InterestingFloats())
            Assert.Equal(BFloat16Oracle(f), HalfConvert.SingleToBFloat16(f));
    }

    [Fact]
    public void BFloat16_quiets_nan_without_rounding_to_infinity()
    {
        float signalling = BitConverter.UInt32BitsToSingle(0x7F80FFFF);
        Assert.Equal((ushort)0x7FC0, HalfConvert.SingleToBFloat16(signalling));
        Assert.Equal((ushort)0xFFC0, HalfConvert.SingleToBFloat16(BitConverter.UInt32BitsToSingle(0xFF800001)));
    }

    [Fact]
    public void Bulk_forms_equal_the_scalar_forms_at_every_length()
    {
        float[] src = InterestingFloats().Take(300).ToArray();
        for (int n = 0; n <= 70; n++)
        {
            var halves = new ushort[n];
            var bfs = new ushort[n];
            var back = new float[n];
            var bfBack = new float[n];
            HalfConvert.SingleToHalf(src.AsSpan(0, n), halves);
            HalfConvert.SingleToBFloat16(src.AsSpan(0, n), bfs);
            HalfConvert.HalfToSingle(halves, back);
            HalfConvert.BFloat16ToSingle(bfs, bfBack);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(HalfConvert.SingleToHalf(src[i]), halves[i]);
                Assert.Equal(HalfConvert.SingleToBFloat16(src[i]), bfs[i]);
                Assert.Equal(BitConverter.SingleToUInt32Bits(HalfConvert.HalfToSingle(halves[i])), BitConverter.SingleToUInt32Bits(back[i]));
                Assert.Equal(BitConverter.SingleToUInt32Bits(HalfConvert.BFloat16ToSingle(bfs[i])), BitConverter.SingleToUInt32Bits(bfBack[i]));
            }
        }
        ushort[] all = Enumerable.Range(0, 65536).Select(i => (ushort)i).ToArray();
        var wide = new float[all.Length];
        HalfConvert.HalfToSingle(all, wide);
        for (int h = 0; h < all.Length; h++)
            Assert.Equal(BitConverter.SingleToUInt32Bits(HalfConvert.HalfToSingle((ushort)h)), BitConverter.SingleToUInt32Bits(wide[h]));
    }

    [Theory]
    [InlineData(64, 128)] // a head's slice of a KV cache cell: 16-lane path
    [InlineData(48, 48)]
    [InlineData(8, 200)]  // eight lanes, rows far apart (as one head of MiniCPM-2B), prefetched ahead
    [InlineData(20, 33)]  // not a multiple of 8: row by row
    public void Strided_rows_widen_like_the_scalar_form(int width, int stride)
    {
        ushort[] all = Enumerable.Range(0, 65536).Select(i => (ushort)(i * 7919)).ToArray(); // every pattern, shuffled
        foreach (int rows in new[] { 0, 1, 5, 300 })
        {
            var src = all.AsSpan(0, Math.Min(all.Length, Math.Max(0, (rows - 1) * stride + width)));
            var dst = new float[rows * width];
            HalfConvert.HalfToSingleRows(src, stride, width, rows, dst);
            for (int j = 0; j < rows; j++)
                for (int i = 0; i < width; i++)
                    Assert.Equal(BitConverter.SingleToUInt32Bits(HalfConvert.HalfToSingle(src[j * stride + i])), BitConverter.SingleToUInt32Bits(dst[j * width + i]));
        }
        Assert.Throws<ArgumentException>(() => HalfConvert.HalfToSingleRows(new ushort[width], stride, width, 2, new float[2 * width]));
    }

    [Fact]
    public void Bulk_forms_reject_mismatched_lengths() =>
        Assert.Throws<ArgumentException>(() => HalfConvert.HalfToSingle(new ushort[3], new float[4]));

    /// <summary>Round-to-nearest-even to the upper 16 bits, decided in double precision.</summary>
    private static ushort BFloat16Oracle(float f)
    {
        uint bits = BitConverter.SingleToUInt32Bits(f);
        if (float.IsNaN(f))
            return (ushort)((bits >> 16) | 64);
        uint lower = bits >> 16;
        if (float.IsInfinity(f))
            return (ushort)lower;
        double below = Math.Abs((double)BitConverter.UInt32BitsToSingle(lower << 16));
        float next = BitConverter.UInt32BitsToSingle((lower + 1) << 16);
        double above = float.IsInfinity(next) ? Math.Pow(2, 128) : Math.Abs((double)next); // the value past the largest float
        double value = Math.Abs((double)f);
        double dBelow = value - below, dAbove = above - value;
        if (dBelow < dAbove) return (ushort)lower;
        if (dAbove < dBelow) return (ushort)(lower + 1);
        return (ushort)((lower & 1) == 0 ? lower : lower + 1);
    }

    /// <summary>Every half value and its float neighbours (ties, near ties), specials, and random bit patterns.</summary>
    private static IEnumerable<float> InterestingFloats()
    {
        yield return float.NaN;
        yield return -float.NaN;
        yield return BitConverter.UInt32BitsToSingle(0x7F800001); // signalling NaN
        yield return float.PositiveInfinity;
        yield return float.NegativeInfinity;
        yield return float.Epsilon;
        yield return float.MaxValue;
        yield return -float.MaxValue;
        for (int h = 0; h <= ushort.MaxValue; h += 3)
        {
            uint exact = BitConverter.SingleToUInt32Bits(HalfConvert.HalfToSingle((ushort)h));
            foreach (uint delta in new uint[] { 0, 1, 0x0FFF, 0x1000, 0x1001, 0x7FFF, 0x8000, 0x8001 })
            {
                yield return BitConverter.UInt32BitsToSingle(exact + delta);
                yield return BitConverter.UInt32BitsToSingle(exact - delta);
            }
        }
        var rng = new Random(3);
        for (int i = 0; i < 100_000; i++)
            yield return BitConverter.UInt32BitsToSingle((uint)rng.NextInt64(0, 1L << 32));
    }
}
