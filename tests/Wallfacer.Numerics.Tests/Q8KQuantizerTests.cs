using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// The AVX2 Q8_K activation quantizer against ggml's scalar reference, bit for bit: zero blocks, the largest magnitude
/// held by several elements of either sign (the first one sets the scale's sign), round-half-even ties, subnormals,
/// values near the top of the range, infinities and NaNs, and rows of several blocks.
/// </summary>
public sealed class Q8KQuantizerTests
{
    private const int Block = BlockQ8K.BlockSize;

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(9)]
    public void Vector_quantizer_equals_the_scalar_one(int blocks)
    {
        if (!BlockQ8K.Use256)
            return; // not on this machine (the per-tier child runs cover the scalar path)
        var rng = new Random(17 + blocks);
        var x = new float[blocks * Block];
        var expected = new byte[blocks * BlockQ8K.BlockBytes];
        var actual = new byte[blocks * BlockQ8K.BlockBytes];
        for (int trial = 0; trial < 300; trial++)
        {
            for (int b = 0; b < blocks; b++)
                Fill(x.AsSpan(b * Block, Block), (trial + b) % 9, rng);
            BlockQ8K.QuantizeReference(x, expected);
            Array.Fill(actual, (byte)0xCD); // every byte must be written
            BlockQ8K.Quantize256(x, actual);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void The_first_element_of_largest_magnitude_sets_the_sign()
    {
        if (!BlockQ8K.Use256)
            return;
        var x = new float[Block];
        x[3] = -2f; // the first of three elements of magnitude 2, two of them in the same vector: the scale is −127 / −2
        x[6] = 2f;
        x[40] = 2f;
        var actual = new byte[BlockQ8K.BlockBytes];
        BlockQ8K.Quantize256(x, actual);
        // ggml maps the chosen element to −127: d = −max / 127 is positive for max = −2 (x[6] would have made it negative).
        Assert.Equal(2f / 127f, BitConverter.ToSingle(actual, 0));
        Assert.Equal(-127, (sbyte)actual[BlockQ8K.QsOffset + 3]);
        Assert.Equal(127, (sbyte)actual[BlockQ8K.QsOffset + 6]);
        Assert.Equal(127, (sbyte)actual[BlockQ8K.QsOffset + 40]);
        Assert.Equal(0, BitConverter.ToInt16(actual, BlockQ8K.BsumsOffset + 2 * 0));
        Assert.Equal(127, BitConverter.ToInt16(actual, BlockQ8K.BsumsOffset + 2 * 2));
    }

    private static void Fill(Span<float> x, int kind, Random rng)
    {
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = kind switch
            {
                0 => 0f,
                1 => rng.Next(-254, 255) / 2f,                                  // halves: ties after scaling by 127/127
                2 => (float)(rng.NextDouble() - 0.5) * 1e-40f,                   // subnormals
                3 => (float)(rng.NextDouble() - 0.5) * 3e38f,                    // near the top of the range
                4 => i % 37 == 5 ? float.NaN : (float)(rng.NextDouble() * 2 - 1),
                5 => i == 100 ? float.PositiveInfinity : (float)rng.NextDouble(),
                6 => rng.Next(3) - 1,                                            // many elements share the largest magnitude
                7 => i % 16 == 0 ? -0f : (float)(rng.NextDouble() * 256 - 128),
                _ => (float)(rng.NextDouble() * 8 - 4),
            };
        }
    }
}
