namespace Wallfacer.Numerics.Quants;

/// <summary>
/// Q8_1: the activation type paired with Q4_1/Q5_1. 32 int8 q with x = q·d, plus s = d·Σq so the dot
/// product can add the weights' min term without touching the quants. Layout (36 bytes): d, s (fp16),
/// qs[32]. Ported from ggml/src/ggml-quants.c (quantize_row_q8_1_ref) and
/// ggml/src/ggml-cpu/arch/x86/quants.c (quantize_row_q8_1).
/// </summary>
internal static class BlockQ8_1
{
    public const int BlockSize = 32;
    public const int BlockBytes = 36;

    /// <summary>x = q·d (ggml has no dequantize_row_q8_1; s is redundant).</summary>
    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int blocks = dst.Length / BlockSize;
        for (int ib = 0; ib < blocks; ib++)
        {
            ReadOnlySpan<byte> block = src.Slice(ib * BlockBytes, BlockBytes);
            float d = QuantMath.ReadHalf(block, 0);
            for (int j = 0; j < BlockSize; j++)
                dst[ib * BlockSize + j] = (sbyte)block[4 + j] * d;
        }
    }

    /// <summary>The reference quantizer: id = 1/d, <c>roundf</c>.</summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst) => Quantize(src, dst, activation: false);

    /// <summary>llama.cpp's x86 activation quantizer: id = 127/amax, round half to even.</summary>
    public static void QuantizeActivation(ReadOnlySpan<float> src, Span<byte> dst) => Quantize(src, dst, activation: true);

    private static void Quantize(ReadOnlySpan<float> src, Span<byte> dst, bool activation)
    {
        int blocks = src.Length / BlockSize;
        for (int ib = 0; ib < blocks; ib++)
        {
            ReadOnlySpan<float> x = src.Slice(ib * BlockSize, BlockSize);
            Span<byte> block = dst.Slice(ib * BlockBytes, BlockBytes);
            float amax = BlockQ8_0.AbsMax(x);
            float d = amax / 127;
            float id = activation ? (amax != 0 ? 127f / amax : 0f) : (d != 0 ? 1.0f / d : 0.0f);
            int sum = 0;
            for (int j = 0; j < BlockSize; j++)
            {
                int q = activation ? BlockQ8_0.RoundEvenSaturated(x[j] * id) : (sbyte)QuantMath.RoundAway(x[j] * id);
                block[4 + j] = (byte)(sbyte)q;
                sum += q;
            }
            QuantMath.WriteHalf(block, 0, d);
            QuantMath.WriteHalf(block, 2, sum * d);
        }
    }
}
