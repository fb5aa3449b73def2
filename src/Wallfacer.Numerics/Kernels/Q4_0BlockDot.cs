using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// The scalar definition of the Q4_0 block-sum product that <see cref="MatMulQ4_0Blocks"/> computes for prompt batches:
/// per 32-element block the exact integer Σ(q − 8)·a, times the block's fp32 scale product dw·da, added with one
/// fused multiply-add per block in block order — llama.cpp's reference <c>ggml_vec_dot_q4_0_q8_0</c> (generic path)
/// with its multiply-add fused.
/// <para>
/// It differs from <see cref="VecDot.Dot"/> (llama.cpp's AVX path, which converts sums of four products to float and
/// adds sixteen lanes at the end) only in the last bits: both are exact up to the float rounding of their additions.
/// </para>
/// </summary>
public static class Q4_0BlockDot
{
    private const int WeightBlockBytes = 18;     // fp16 d + 16 bytes of nibbles
    private const int ActivationBlockBytes = 34; // fp16 d + 32 int8

    /// <summary>One Q4_0 weight row against one Q8_0 activation row of <paramref name="columns"/> elements.</summary>
    public static float Dot(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int columns)
    {
        if (columns % 32 != 0 || weights.Length < columns / 32 * WeightBlockBytes || activations.Length < columns / 32 * ActivationBlockBytes)
            throw new ArgumentException($"Rows too short for {columns} columns of Q4_0 × Q8_0 blocks.");
        float sum = 0;
        for (int b = 0; b < columns / 32; b++)
        {
            var w = weights.Slice(b * WeightBlockBytes, WeightBlockBytes);
            var a = activations.Slice(b * ActivationBlockBytes, ActivationBlockBytes);
            int products = 0;
            for (int j = 0; j < 16; j++)
            {
                products += ((w[2 + j] & 0x0F) - 8) * (sbyte)a[2 + j];      // element j: low nibble
                products += ((w[2 + j] >> 4) - 8) * (sbyte)a[2 + 16 + j];   // element j + 16: high nibble
            }
            float scale = HalfConvert.HalfToSingle(BitConverter.ToUInt16(w)) * HalfConvert.HalfToSingle(BitConverter.ToUInt16(a));
            sum = MathF.FusedMultiplyAdd(products, scale, sum);
        }
        return sum;
    }
}
