using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Wallfacer.Numerics.Quants;

/// <summary>Small helpers shared by the block codecs: fp16 fields, ggml's rounding tricks.</summary>
internal static class QuantMath
{
    /// <summary>ggml's GROUP_MAX_EPS: below this a group counts as all zero (ggml-quants.c).</summary>
    public const float GroupMaxEps = 1e-15f;

    /// <summary>
    /// ggml's <c>nearest_int</c> (ggml-quants.c): adding 1.5 * 2^23 leaves the rounded integer (ties to
    /// even) in the low mantissa bits. Valid for |x| ≤ 4194303, as in ggml.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int NearestInt(float x)
    {
        float val = x + 12582912f;
        int i = BitConverter.SingleToInt32Bits(val);
        return (i & 0x007FFFFF) - 0x00400000;
    }

    /// <summary>C's <c>roundf</c>: half-way cases away from zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RoundAway(float x) => (int)MathF.Round(x, MidpointRounding.AwayFromZero);

    /// <summary>Reads a little-endian fp16 at <paramref name="offset"/> as float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ReadHalf(ReadOnlySpan<byte> block, int offset) =>
        HalfConvert.HalfToSingle(BinaryPrimitives.ReadUInt16LittleEndian(block[offset..]));

    /// <summary>Writes <paramref name="value"/> as a little-endian fp16 at <paramref name="offset"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteHalf(Span<byte> block, int offset, float value) =>
        BinaryPrimitives.WriteUInt16LittleEndian(block[offset..], HalfConvert.SingleToHalf(value));

    /// <summary>
    /// The 6-bit scale and min of sub-block <paramref name="j"/> (0..7) from the 12 packed scale bytes of
    /// Q4_K/Q5_K (ggml-quants.c, get_scale_min_k4).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void GetScaleMinK4(int j, ReadOnlySpan<byte> q, out int scale, out int min)
    {
        if (j < 4)
        {
            scale = q[j] & 63;
            min = q[j + 4] & 63;
        }
        else
        {
            scale = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
            min = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
        }
    }

    /// <summary>
    /// Unpacks Q3_K's twelve scale bytes into sixteen 6-bit scales (still offset by 32), as
    /// dequantize_row_q3_K does with its kmask shuffle.
    /// </summary>
    public static void UnpackQ3KScales(ReadOnlySpan<byte> packed, Span<sbyte> scales)
    {
        for (int j = 0; j < 16; j++)
        {
            int low = j < 8 ? packed[j] & 0xF : packed[j - 8] >> 4;
            int high = (packed[8 + j % 4] >> (2 * (j / 4))) & 3;
            scales[j] = (sbyte)(low | (high << 4));
        }
    }

    /// <summary>Throws unless <paramref name="length"/> is a whole number of <paramref name="blockSize"/> blocks.</summary>
    public static int BlockCount(int length, int blockSize, string typeName)
    {
        if (length % blockSize != 0)
            throw new ArgumentException($"A {typeName} row must hold a multiple of {blockSize} elements; got {length}.");
        return length / blockSize;
    }
}
