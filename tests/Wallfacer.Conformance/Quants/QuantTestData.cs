using System.Buffers.Binary;
using Wallfacer.Numerics;
using Wallfacer.Numerics.Quants;
using Wallfacer.TestSupport;

namespace Wallfacer.Conformance.Quants;

/// <summary>Random inputs for the ggml comparisons, and the checked entry to the native library.</summary>
internal static class QuantTestData
{
    /// <summary>Every type Wallfacer (de)quantizes that ggml has a row codec for (F32 has none), as xunit data.</summary>
    public static TheoryData<GgmlType> AllTypes => new()
    {
        GgmlType.F16, GgmlType.BF16, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
        GgmlType.Q8_0, GgmlType.Q8_1, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q8_K,
    };

    /// <summary>Weight types with a dot product.</summary>
    public static TheoryData<GgmlType> WeightTypes => new()
    {
        GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
        GgmlType.Q8_0, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
    };

    /// <summary>The loaded library; fails (rather than skips) when missing, which only happens under CI.</summary>
    public static GgmlNative.Exports Native =>
        GgmlNative.Library ?? throw new InvalidOperationException("CI=true but " + GgmlNative.MissingReason);

    /// <summary>
    /// Floats shaped like real weights and activations: Gaussian-ish values whose scale changes per block
    /// (so block maxima differ), with occasional outliers and exact zeros.
    /// </summary>
    public static float[] RandomFloats(int count, int seed)
    {
        var rng = new Random(seed);
        var x = new float[count];
        float scale = 1;
        for (int i = 0; i < count; i++)
        {
            if (i % 32 == 0)
                scale = MathF.Pow(10, (float)(rng.NextDouble() * 4 - 2));
            double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
            float g = (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
            x[i] = rng.Next(50) switch { 0 => 0f, 1 => g * 8 * scale, _ => g * scale };
        }
        return x;
    }

    /// <summary>Random block bytes whose fp16 (or Q8_K float) scale fields hold finite values.</summary>
    public static byte[] RandomBlocks(GgmlType type, int elements, int seed)
    {
        var rng = new Random(seed);
        var bytes = new byte[GgmlTypeInfo.RowBytes(type, elements)];
        rng.NextBytes(bytes);
        int blockBytes = GgmlTypeInfo.TypeSize(type);
        for (int offset = 0; offset < bytes.Length; offset += blockBytes)
        {
            Span<byte> block = bytes.AsSpan(offset, blockBytes);
            foreach (int field in ScaleFields(type))
                BinaryPrimitives.WriteUInt16LittleEndian(block[field..], HalfConvert.SingleToHalf((float)(rng.NextDouble() * 4 - 2)));
            if (type == GgmlType.Q8_K)
                BinaryPrimitives.WriteSingleLittleEndian(block, (float)(rng.NextDouble() * 0.1));
            if (type == GgmlType.F32)
                BinaryPrimitives.WriteSingleLittleEndian(block, (float)(rng.NextDouble() * 200 - 100));
        }
        return bytes;
    }

    private static int[] ScaleFields(GgmlType type) => type switch
    {
        GgmlType.Q4_0 or GgmlType.Q5_0 or GgmlType.Q8_0 => [0],
        GgmlType.Q4_1 or GgmlType.Q5_1 or GgmlType.Q8_1 or GgmlType.Q4_K or GgmlType.Q5_K => [0, 2],
        GgmlType.Q2_K => [80, 82],
        GgmlType.Q3_K => [108],
        GgmlType.Q6_K => [208],
        _ => [],
    };

    /// <summary>Seeds for theories: a few independent rows per type.</summary>
    public static IEnumerable<int> Seeds => [1, 2, 3];

    public static bool UnderCi => TestPaths.IsCi;
}
