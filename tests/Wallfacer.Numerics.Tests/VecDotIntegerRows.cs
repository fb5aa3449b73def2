using System.Buffers.Binary;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// Rows of random raw quant bytes (every bit pattern the format allows, including −128 weights) whose
/// scale fields are all 1. Every block sum is then an integer, and for these sizes every total stays
/// below 2^24, so any correct path must return exactly the reference's float: a wrong integer partial
/// sum cannot hide behind a tolerance.
/// </summary>
internal static class VecDotIntegerRows
{
    private const ushort HalfOne = 0x3C00;

    public static byte[] Create(GgmlType type, int n, int seed)
    {
        var rng = new Random(seed);
        var row = new byte[GgmlTypeInfo.RowBytes(type, n)];
        if (type is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16)
        {
            FillSmallIntegers(type, row, n, rng);
            return row;
        }
        rng.NextBytes(row);
        int blockBytes = GgmlTypeInfo.TypeSize(type);
        for (int o = 0; o < row.Length; o += blockBytes)
            FixBlock(type, row.AsSpan(o, blockBytes));
        return row;
    }

    private static void FillSmallIntegers(GgmlType type, byte[] row, int n, Random rng)
    {
        for (int i = 0; i < n; i++)
        {
            float v = rng.Next(-16, 17);
            if (type == GgmlType.F32)
                BinaryPrimitives.WriteSingleLittleEndian(row.AsSpan(4 * i), v);
            else
                BinaryPrimitives.WriteUInt16LittleEndian(row.AsSpan(2 * i), type == GgmlType.F16 ? HalfConvert.SingleToHalf(v) : HalfConvert.SingleToBFloat16(v));
        }
    }

    /// <summary>Sets the block's scales to 1 and keeps activation quants in [−127, 127] with consistent bsums.</summary>
    private static void FixBlock(GgmlType type, Span<byte> block)
    {
        foreach (int offset in HalfScaleOffsets(type))
            BinaryPrimitives.WriteUInt16LittleEndian(block[offset..], HalfOne);
        switch (type)
        {
            case GgmlType.Q8_0: NoMinus128(block.Slice(2, 32)); break;
            case GgmlType.Q8_1: NoMinus128(block.Slice(4, 32)); break;
            case GgmlType.Q8_K:
                BinaryPrimitives.WriteSingleLittleEndian(block, 1f);
                Span<byte> qs = block.Slice(BlockQ8K.QsOffset, 256);
                NoMinus128(qs);
                for (int g = 0; g < 16; g++)
                {
                    int sum = 0;
                    for (int k = 0; k < 16; k++)
                        sum += (sbyte)qs[16 * g + k];
                    BinaryPrimitives.WriteInt16LittleEndian(block[(BlockQ8K.BsumsOffset + 2 * g)..], (short)sum);
                }
                break;
        }
    }

    /// <summary>Where each type keeps its fp16 scales and mins (ggml-common.h block layouts).</summary>
    private static int[] HalfScaleOffsets(GgmlType type) => type switch
    {
        GgmlType.Q4_0 or GgmlType.Q5_0 or GgmlType.Q8_0 => [0],
        GgmlType.Q4_1 or GgmlType.Q5_1 or GgmlType.Q8_1 or GgmlType.Q4_K or GgmlType.Q5_K => [0, 2],
        GgmlType.Q2_K => [BlockQ2K.DOffset, BlockQ2K.DminOffset],
        GgmlType.Q3_K => [BlockQ3K.DOffset],
        GgmlType.Q6_K => [BlockQ6K.DOffset],
        _ => [],
    };

    /// <summary>Activation quants never reach −128 (the quantizers clamp to ±127); the sign trick relies on it.</summary>
    private static void NoMinus128(Span<byte> qs)
    {
        for (int i = 0; i < qs.Length; i++)
            if (qs[i] == 0x80)
                qs[i] = 0x81;
    }
}
