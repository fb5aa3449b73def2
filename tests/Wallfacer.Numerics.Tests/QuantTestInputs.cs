using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Tests;

/// <summary>Shared random inputs for the quantization tests.</summary>
internal static class QuantTestInputs
{
    public static TheoryData<GgmlType> QuantizableTypes => new()
    {
        GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
        GgmlType.Q8_0, GgmlType.Q8_1, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q8_K,
    };

    public static TheoryData<GgmlType> WeightTypes => new()
    {
        GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
        GgmlType.Q8_0, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
    };

    /// <summary>Standard normal values (Box–Muller), deterministic per seed.</summary>
    public static float[] Gaussian(int count, int seed, float scale = 1)
    {
        var rng = new Random(seed);
        var x = new float[count];
        for (int i = 0; i < count; i++)
        {
            double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
            x[i] = scale * (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return x;
    }

    public static byte[] Quantize(GgmlType type, float[] x, bool activation = false)
    {
        var bytes = new byte[GgmlTypeInfo.RowBytes(type, x.Length)];
        if (activation)
            Quantizer.QuantizeActivationRow(type, x, bytes);
        else
            Quantizer.QuantizeRow(type, x, bytes);
        return bytes;
    }

    public static float[] Dequantize(GgmlType type, byte[] bytes, int n)
    {
        var y = new float[n];
        Dequantizer.DequantizeRow(type, bytes, y);
        return y;
    }
}
