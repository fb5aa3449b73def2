using System.Runtime.Intrinsics;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// <see cref="HalfRounding"/> against the conversion round trip it replaces: every pattern around every fp16 rounding
/// boundary and a sweep across all floats (every float bit pattern with <c>WALLFACER_EXHAUSTIVE=1</c>; that ran clean
/// when the rounding was written — a few seconds optimised, far too long for the unoptimised test tiers).
/// </summary>
public sealed class HalfRoundingTests
{
    private static float RoundTrip(float x) => HalfConvert.HalfToSingle(HalfConvert.SingleToHalf(x));

    [Fact]
    public void Sixteen_lanes_equal_the_round_trip_for_every_float()
    {
        ForEveryPattern(16, (uint first) =>
        {
            var x = Vector512.Create(first) + Vector512.Create(0u, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            var expected = HalfConvert.HalfToSingle(HalfConvert.SingleToHalf(x.AsSingle()));
            var actual = HalfRounding.RoundToHalf(x.AsSingle());
            return Vector512.EqualsAll(expected.AsUInt32(), actual.AsUInt32()) ? null : Describe(x.ToScalar());
        });
    }

    [Fact]
    public void Eight_lanes_equal_the_round_trip_for_every_float()
    {
        ForEveryPattern(8, (uint first) =>
        {
            var x = Vector256.Create(first) + Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7);
            var expected = HalfConvert.HalfToSingle(HalfConvert.SingleToHalf(x.AsSingle()));
            var actual = HalfRounding.RoundToHalf(x.AsSingle());
            return Vector256.EqualsAll(expected.AsUInt32(), actual.AsUInt32()) ? null : Describe(x.ToScalar());
        });
    }

    [Fact]
    public void The_scalar_form_equals_the_round_trip_around_every_half_and_on_a_sweep()
    {
        var patterns = new List<uint>();
        foreach (uint p in BoundaryPatterns())
            patterns.AddRange([p - 1, p, p + 1]);
        for (ulong p = 0; p <= uint.MaxValue; p += 9973)
            patterns.Add((uint)p);
        foreach (uint p in patterns)
        {
            float x = BitConverter.UInt32BitsToSingle(p);
            Assert.True(BitConverter.SingleToUInt32Bits(RoundTrip(x)) == BitConverter.SingleToUInt32Bits(HalfRounding.RoundToHalf(x)), Describe(p));
        }
    }

    /// <summary>
    /// Runs <paramref name="check"/> on blocks of <paramref name="lanes"/> patterns starting at every pattern near an
    /// fp16 rounding boundary and at every 4099th block of the whole range — or at every block with
    /// <c>WALLFACER_EXHAUSTIVE=1</c>, split over the cores.
    /// </summary>
    private static void ForEveryPattern(int lanes, Func<uint, string?> check)
    {
        foreach (uint p in BoundaryPatterns())
        {
            string? message = check(p - (uint)(lanes / 2));
            Assert.True(message is null, message);
        }
        bool exhaustive = Environment.GetEnvironmentVariable("WALLFACER_EXHAUSTIVE") == "1";
        ulong step = (ulong)lanes * (exhaustive ? 1UL : 4099UL);
        const int Slices = 256;
        string? failure = null;
        Parallel.For(0, Slices, (slice, state) =>
        {
            ulong start = (ulong)slice << 24, end = start + (1UL << 24);
            for (ulong first = start; first < end; first += step)
            {
                if (check((uint)first) is { } message)
                {
                    failure = message;
                    state.Stop();
                    return;
                }
            }
        });
        Assert.True(failure is null, failure);
    }

    /// <summary>Every fp16 value and the midpoints to its neighbour, as float bit patterns, both signs, and the specials.</summary>
    private static IEnumerable<uint> BoundaryPatterns()
    {
        for (uint h = 0; h < 0x7C01; h++)
        {
            uint center = BitConverter.SingleToUInt32Bits(HalfConvert.HalfToSingle((ushort)h));
            uint next = BitConverter.SingleToUInt32Bits(HalfConvert.HalfToSingle((ushort)(h + 1)));
            uint middle = center + (next - center) / 2;
            foreach (uint p in new[] { center, middle })
            {
                yield return p;
                yield return p | 0x80000000u;
            }
        }
        foreach (uint p in new[] { 0x7F800000u, 0xFF800000u, 0x7F800001u, 0xFFC00000u, 0x7FFFFFFFu, 0x477FE000u, 0x477FEFFFu, 0x477FF000u })
            yield return p;
    }

    private static string Describe(uint bits) =>
        $"0x{bits:X8} ({BitConverter.UInt32BitsToSingle(bits):R}): round trip 0x{BitConverter.SingleToUInt32Bits(RoundTrip(BitConverter.UInt32BitsToSingle(bits))):X8}, rounding 0x{BitConverter.SingleToUInt32Bits(HalfRounding.RoundToHalf(BitConverter.UInt32BitsToSingle(bits))):X8}";

    private static string Describe(float x) => $"a vector starting at {Describe(BitConverter.SingleToUInt32Bits(x))}";
}
