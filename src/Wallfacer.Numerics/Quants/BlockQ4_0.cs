namespace Wallfacer.Numerics.Quants;

/// <summary>
/// Q4_0: 32 weights as 4-bit values q with w = (q − 8)·d. Layout (18 bytes): d (fp16), qs[16] where
/// byte j holds element j in its low nibble and element j+16 in its high nibble.
/// Ported from ggml/src/ggml-quants.c (quantize_row_q4_0_ref, dequantize_row_q4_0).
/// </summary>
internal static class BlockQ4_0
{
    public const int BlockSize = 32;
    public const int BlockBytes = 18;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int blocks = dst.Length / BlockSize;
        for (int ib = 0; ib < blocks; ib++)
        {
            ReadOnlySpan<byte> block = src.Slice(ib * BlockBytes, BlockBytes);
            float d = QuantMath.ReadHalf(block, 0);
            Span<float> y = dst.Slice(ib * BlockSize, BlockSize);
            for (int j = 0; j < 16; j++)
            {
                y[j] = ((block[2 + j] & 0x0F) - 8) * d;
                y[j + 16] = ((block[2 + j] >> 4) - 8) * d;
            }
        }
    }

    /// <summary>Round-to-nearest: the element of largest magnitude maps exactly to −8.</summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int blocks = src.Length / BlockSize;
        for (int ib = 0; ib < blocks; ib++)
        {
            ReadOnlySpan<float> x = src.Slice(ib * BlockSize, BlockSize);
            Span<byte> block = dst.Slice(ib * BlockBytes, BlockBytes);
            float amax = 0, max = 0;
            for (int j = 0; j < BlockSize; j++)
            {
                if (amax < MathF.Abs(x[j]))
                {
                    amax = MathF.Abs(x[j]);
                    max = x[j];
                }
            }
            float d = max / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.WriteHalf(block, 0, d);
            for (int j = 0; j < 16; j++)
            {
                int q0 = Math.Min(15, (int)(sbyte)(int)(x[j] * id + 8.5f));
                int q1 = Math.Min(15, (int)(sbyte)(int)(x[j + 16] * id + 8.5f));
                block[2 + j] = (byte)(q0 | (q1 << 4));
            }
        }
    }
}
