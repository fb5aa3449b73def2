using System.Runtime.InteropServices;

namespace Wallfacer.Numerics.Quants;

/// <summary>
/// Turns floats into stored tensor blocks with llama.cpp's reference quantizers (ggml/src/ggml-quants.c,
/// <c>quantize_row_*_ref</c> / <c>from_float_ref</c>; no importance matrix), byte-identical with them.
/// </summary>
/// <remarks>
/// For activations of a matrix product llama.cpp's x86 CPU backend does not use the reference Q8_0 and
/// Q8_1 quantizers but AVX versions (ggml-cpu/arch/x86/quants.c) that scale by 127/amax and round half to
/// even; <see cref="QuantizeActivationRow"/> reproduces those. Q8_K activations use the reference in both.
/// </remarks>
public static class Quantizer
{
    /// <summary>
    /// Quantizes <paramref name="src"/> into <paramref name="dst"/>, which must hold exactly
    /// <see cref="GgmlTypeInfo.RowBytes"/> bytes for <paramref name="src"/>.Length elements.
    /// </summary>
    /// <exception cref="ArgumentException">The length is not a whole number of blocks or the byte count is wrong.</exception>
    /// <exception cref="NotSupportedException">The type has no quantizer here.</exception>
    public static void QuantizeRow(GgmlType type, ReadOnlySpan<float> src, Span<byte> dst)
    {
        RowChecks.CheckRow(type, dst.Length, src.Length, nameof(dst));
        switch (type)
        {
            case GgmlType.F32: MemoryMarshal.AsBytes(src).CopyTo(dst); break;
            case GgmlType.F16: HalfConvert.SingleToHalf(src, MemoryMarshal.Cast<byte, ushort>(dst)); break;
            case GgmlType.BF16: HalfConvert.SingleToBFloat16(src, MemoryMarshal.Cast<byte, ushort>(dst)); break;
            case GgmlType.Q4_0: BlockQ4_0.Quantize(src, dst); break;
            case GgmlType.Q4_1: BlockQ4_1.Quantize(src, dst); break;
            case GgmlType.Q5_0: BlockQ5_0.Quantize(src, dst); break;
            case GgmlType.Q5_1: BlockQ5_1.Quantize(src, dst); break;
            case GgmlType.Q8_0: BlockQ8_0.Quantize(src, dst); break;
            case GgmlType.Q8_1: BlockQ8_1.Quantize(src, dst); break;
            case GgmlType.Q2_K: BlockQ2K.Quantize(src, dst); break;
            case GgmlType.Q3_K: BlockQ3K.Quantize(src, dst); break;
            case GgmlType.Q4_K: BlockQ4K.Quantize(src, dst); break;
            case GgmlType.Q5_K: BlockQ5K.Quantize(src, dst); break;
            case GgmlType.Q6_K: BlockQ6K.Quantize(src, dst); break;
            case GgmlType.Q8_K: BlockQ8K.Quantize(src, dst); break;
            default: throw new NotSupportedException($"Quantizing to {type} is not supported.");
        }
    }

    /// <summary>
    /// Quantizes an activation row the way llama.cpp's x86 CPU backend does before a dot product
    /// (<c>type_traits_cpu[type].from_float</c>): Q8_0 and Q8_1 with id = 127/amax and round-half-even;
    /// every other type as <see cref="QuantizeRow"/>. Use it for <see cref="VecDot.Dot"/>'s activations
    /// to reproduce llama.cpp's matmul results.
    /// </summary>
    public static void QuantizeActivationRow(GgmlType type, ReadOnlySpan<float> src, Span<byte> dst)
    {
        RowChecks.CheckRow(type, dst.Length, src.Length, nameof(dst));
        switch (type)
        {
            case GgmlType.Q8_0: BlockQ8_0.QuantizeActivation(src, dst); break;
            case GgmlType.Q8_1: BlockQ8_1.QuantizeActivation(src, dst); break;
            default: QuantizeRow(type, src, dst); break;
        }
    }
}
