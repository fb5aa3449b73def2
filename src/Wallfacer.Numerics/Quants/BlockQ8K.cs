using System.Buffers.Binary;

namespace Wallfacer.Numerics.Quants;

/// <summary>
/// Q8_K: the activation type of the K-quants. 256 int8 q with x = q·d. Layout (292 bytes): d (float32),
/// qs[256], bsums[16] (int16 sums of each group of 16 quants, used for the weights' min terms).
/// Ported from ggml/src/ggml-quants.c (quantize_row_q8_K_ref, dequantize_row_q8_K); llama.cpp's x86
/// CPU backend uses this same reference for activations.
/// </summary>
internal static partial class BlockQ8K
{
    public const int BlockSize = 256;
    public const int BlockBytes = 292;
    public const int QsOffset = 4;
    public const int BsumsOffset = 260;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int blocks = dst.Length / BlockSize;
        for (int ib = 0; ib < blocks; ib++)
        {
            ReadOnlySpan<byte> block = src.Slice(ib * BlockBytes, BlockBytes);
            float d = BinaryPrimitives.ReadSingleLittleEndian(block);
            for (int j = 0; j < BlockSize; j++)
                dst[ib * BlockSize + j] = d * (sbyte)block[QsOffset + j];
        }
    }

    /// <summary>
    /// The element of largest magnitude maps to −127 (its sign flipped, as ggml does so that IQ kernels
    /// stay simple). An all-zero block stores d = 0 and zero quants; unlike ggml we also zero bsums, which
    /// ggml leaves unwritten there.
    /// </summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        if (Use256)
            Quantize256(src, dst);
        else
            QuantizeReference(src, dst);
    }

    /// <summary><see cref="Quantize"/>'s plain scalar form (ggml's quantize_row_q8_K_ref), the vector path's reference.</summary>
    internal static void QuantizeReference(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int blocks = src.Length / BlockSize;
        for (int ib = 0; ib < blocks; ib++)
        {
            ReadOnlySpan<float> x = src.Slice(ib * BlockSize, BlockSize);
            Span<byte> block = dst.Slice(ib * BlockBytes, BlockBytes);
            float max = 0, amax = 0;
            for (int j = 0; j < BlockSize; j++)
            {
                float ax = MathF.Abs(x[j]);
                if (ax > amax)
                {
                    amax = ax;
                    max = x[j];
                }
            }
            if (amax == 0)
            {
                block.Clear();
                continue;
            }
            float iscale = -127f / max;
            for (int j = 0; j < BlockSize; j++)
                block[QsOffset + j] = (byte)(sbyte)Math.Min(127, QuantMath.NearestInt(iscale * x[j]));
            for (int g = 0; g < 16; g++)
            {
                int sum = 0;
                for (int k = 0; k < 16; k++)
                    sum += (sbyte)block[QsOffset + g * 16 + k];
                BinaryPrimitives.WriteInt16LittleEndian(block[(BsumsOffset + 2 * g)..], (short)sum);
            }
            BinaryPrimitives.WriteSingleLittleEndian(block, 1 / iscale);
        }
    }
}
