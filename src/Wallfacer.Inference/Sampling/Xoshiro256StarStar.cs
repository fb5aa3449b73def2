namespace Wallfacer.Inference.Sampling;

/// <summary>
/// The xoshiro256** generator (Blackman and Vigna, 2018), seeded through splitmix64: a small,
/// fast generator defined entirely by 64-bit integer operations, so a seed produces the same
/// stream on every OS, CPU and runtime. <see cref="System.Random"/> promises no such thing.
/// </summary>
/// <remarks>Algorithm from the authors' reference code at https://prng.di.unimi.it/ (public domain).</remarks>
internal sealed class Xoshiro256StarStar
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a generator in the state <see cref="Reseed"/> gives for <paramref name="seed"/>.</summary>
    public Xoshiro256StarStar(ulong seed) => Reseed(seed);

    /// <summary>
    /// Restarts the stream: the four state words are the first four outputs of splitmix64 started
    /// at <paramref name="seed"/> (the seeding the authors recommend; it never yields the all-zero state).
    /// </summary>
    public void Reseed(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>Sets the raw state (for tests against the reference code's published outputs).</summary>
    internal void SetState(ulong s0, ulong s1, ulong s2, ulong s3) => (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits (the top bits, which are the strongest).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / 9007199254740992.0);

    /// <summary>One step of splitmix64 (Steele, Lea and Flood), advancing <paramref name="state"/>.</summary>
    internal static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
