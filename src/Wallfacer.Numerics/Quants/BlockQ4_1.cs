namespace Wallfacer.Numerics.Quants;

/// <summary>
/// Q4_1: 32 weights as 4-bit q with w = q·d + m. Layout (20 bytes): d, m (fp16), qs[16] (element j low
/// nibble, element j+16 high nibble). Ported from ggml/src/ggml-quants.c (quantize_row_q4_1_ref,
/// dequantize_row_q4_1).
/// </summary>
internal static class BlockQ4_1
{
    public const int BlockSize = 32;
    public const int BlockBytes = 20;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int blocks = dst.Length / BlockSize;
        for (int ib = 0; ib < blocks; ib++)
        {
            ReadOnlySpan<byte> block = src.Slice(ib * BlockBytes, BlockBytes);
            float d = QuantMath.ReadHalf(block, 0);
            float m = QuantMath.ReadHalf(block, 2);
            Span<float> y = dst.Slice(ib * BlockSize, BlockSize);
            for (int j = 0; j < 16; j++)
            {
                y[j] = (block[4 + j] & 0x0F) * d + m;
                y[j + 16] = (block[4 + j] >> 4) * d + m;
            }
        }
    }

    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int blocks = src.Length / BlockSize;
        for (int ib = 0; ib < blocks; ib++)
        {
            ReadOnlySpan<float> x = src.Slice(ib * BlockSize, BlockSize);
            Span<byte> block = dst.Slice(ib * BlockBytes, BlockBytes);
            float min = float.MaxValue, max = -float.MaxValue;
            for (int j = 0; j < BlockSize; j++)
            {
                if (x[j] < min) min = x[j];
                if (x[j] > max) max = x[j];
            }
            float d = (max - min) / 15;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.WriteHalf(block, 0, d);
            QuantMath.WriteHalf(block, 2, min);
            for (int j = 0; j < 16; j++)
            {
                int q0 = Math.Min(15, (int)(sbyte)(int)((x[j] - min) * id + 0.5f));
                int q1 = Math.Min(15, (int)(sbyte)(int)((x[j + 16] - min) * id + 0.5f));
                block[4 + j] = (byte)(q0 | (q1 << 4));
            }
        }
    }
}
