using System.Buffers.Binary;

namespace Wallfacer.Numerics.Quants;

/// <summary>
/// Q5_1: 32 weights as 5-bit q with w = q·d + m. Layout (24 bytes): d, m (fp16), qh (uint32 fifth bits),
/// qs[16] (low nibbles). Ported from ggml/src/ggml-quants.c (quantize_row_q5_1_ref, dequantize_row_q5_1).
/// </summary>
internal static class BlockQ5_1
{
    public const int BlockSize = 32;
    public const int BlockBytes = 24;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int blocks = dst.Length / BlockSize;
        for (int ib = 0; ib < blocks; ib++)
        {
            ReadOnlySpan<byte> block = src.Slice(ib * BlockBytes, BlockBytes);
            float d = QuantMath.ReadHalf(block, 0);
            float m = QuantMath.ReadHalf(block, 2);
            uint qh = BinaryPrimitives.ReadUInt32LittleEndian(block[4..]);
            Span<float> y = dst.Slice(ib * BlockSize, BlockSize);
            for (int j = 0; j < 16; j++)
            {
                int high0 = (int)((qh >> j) << 4) & 0x10;
                int high1 = (int)(qh >> (j + 12)) & 0x10;
                y[j] = ((block[8 + j] & 0x0F) | high0) * d + m;
                y[j + 16] = ((block[8 + j] >> 4) | high1) * d + m;
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
            float d = (max - min) / 31;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.WriteHalf(block, 0, d);
            QuantMath.WriteHalf(block, 2, min);
            uint qh = 0;
            for (int j = 0; j < 16; j++)
            {
                int q0 = (byte)(int)((x[j] - min) * id + 0.5f);
                int q1 = (byte)(int)((x[j + 16] - min) * id + 0.5f);
                block[8 + j] = (byte)((q0 & 0x0F) | ((q1 & 0x0F) << 4));
                qh |= (uint)((q0 & 0x10) >> 4) << j;
                qh |= (uint)((q1 & 0x10) >> 4) << (j + 16);
            }
            BinaryPrimitives.WriteUInt32LittleEndian(block[4..], qh);
        }
    }
}
