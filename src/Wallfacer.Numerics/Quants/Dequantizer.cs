using System.Runtime.InteropServices;

namespace Wallfacer.Numerics.Quants;

/// <summary>
/// Turns one row of stored tensor data back into floats, bit-identical with llama.cpp's
/// <c>dequantize_row_*</c> / <c>to_float</c> (ggml/src/ggml-quants.c, ggml.c).
/// </summary>
public static class Dequantizer
{
    /// <summary>
    /// Dequantizes <paramref name="dst"/>.Length elements from <paramref name="src"/>, which must hold exactly
    /// <see cref="GgmlTypeInfo.RowBytes"/> bytes for that count. Blocks may be unaligned (memory-mapped files).
    /// </summary>
    /// <exception cref="ArgumentException">The length is not a whole number of blocks or the byte count is wrong.</exception>
    /// <exception cref="NotSupportedException">The type has no dequantizer here.</exception>
    public static void DequantizeRow(GgmlType type, ReadOnlySpan<byte> src, Span<float> dst)
    {
        RowChecks.CheckRow(type, src.Length, dst.Length, nameof(src));
        switch (type)
        {
            case GgmlType.F32: MemoryMarshal.Cast<byte, float>(src).CopyTo(dst); break;
            case GgmlType.F16: HalfConvert.HalfToSingle(MemoryMarshal.Cast<byte, ushort>(src), dst); break;
            case GgmlType.BF16: HalfConvert.BFloat16ToSingle(MemoryMarshal.Cast<byte, ushort>(src), dst); break;
            case GgmlType.Q4_0: BlockQ4_0.Dequantize(src, dst); break;
            case GgmlType.Q4_1: BlockQ4_1.Dequantize(src, dst); break;
            case GgmlType.Q5_0: BlockQ5_0.Dequantize(src, dst); break;
            case GgmlType.Q5_1: BlockQ5_1.Dequantize(src, dst); break;
            case GgmlType.Q8_0: BlockQ8_0.Dequantize(src, dst); break;
            case GgmlType.Q8_1: BlockQ8_1.Dequantize(src, dst); break;
            case GgmlType.Q2_K: BlockQ2K.Dequantize(src, dst); break;
            case GgmlType.Q3_K: BlockQ3K.Dequantize(src, dst); break;
            case GgmlType.Q4_K: BlockQ4K.Dequantize(src, dst); break;
            case GgmlType.Q5_K: BlockQ5K.Dequantize(src, dst); break;
            case GgmlType.Q6_K: BlockQ6K.Dequantize(src, dst); break;
            case GgmlType.Q8_K: BlockQ8K.Dequantize(src, dst); break;
            default: throw new NotSupportedException($"Dequantizing {type} is not supported.");
        }
    }
}
