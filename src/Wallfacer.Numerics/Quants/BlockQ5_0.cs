using System.Buffers.Binary;

namespace Wallfacer.Numerics.Quants;

/// <summary>
/// Q5_0: 32 weights as 5-bit q with w = (q − 16)·d. Layout (22 bytes): d (fp16), qh (uint32: bit j is
/// the fifth bit of element j), qs[16] (low nibbles: element j low, element j+16 high).
/// Ported from ggml/src/ggml-quants.c (quantize_row_q5_0_ref, dequantize_row_q5_0).
/// </summary>
internal static class BlockQ5_0
{
    public const int BlockSize = 32;
    public const int BlockBytes = 22;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int blocks = dst.Length / BlockSize;
        for (int ib = 0; ib < blocks; ib++)
        {
            ReadOnlySpan<byte> block = src.Slice(ib * BlockBytes, BlockBytes);
            float d = QuantMath.ReadHalf(block, 0);
            uint qh = BinaryPrimitives.ReadUInt32LittleEndian(block[2..]);
            Span<float> y = dst.Slice(ib * BlockSize, BlockSize);
            for (int j = 0; j < 16; j++)
            {
                int high0 = (int)((qh >> j) << 4) & 0x10;
                int high1 = (int)(qh >> (j + 12)) & 0x10;
                y[j] = (((block[6 + j] & 0x0F) | high0) - 16) * d;
                y[j + 16] = (((block[6 + j] >> 4) | high1) - 16) * d;
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
            float amax = 0, max = 0;
            for (int j = 0; j < BlockSize; j++)
            {
                if (amax < MathF.Abs(x[j]))
                {
                    amax = MathF.Abs(x[j]);
                    max = x[j];
                }
            }
            float d = max / -16;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.WriteHalf(block, 0, d);
            uint qh = 0;
            for (int j = 0; j < 16; j++)
            {
                int q0 = Math.Min(31, (int)(sbyte)(int)(x[j] * id + 16.5f));
                int q1 = Math.Min(31, (int)(sbyte)(int)(x[j + 16] * id + 16.5f));
                block[6 + j] = (byte)((q0 & 0x0F) | ((q1 & 0x0F) << 4));
                qh |= (uint)((q0 & 0x10) >> 4) << j;
                qh |= (uint)((q1 & 0x10) >> 4) << (j + 16);
            }
            BinaryPrimitives.WriteUInt32LittleEndian(block[2..], qh);
        }
    }
}
