using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Wallfacer.Numerics.Quants;

/// <summary>
/// Block scale products for the 32-element block types. Each block's weight and activation scale is an
/// fp16; widening them one at a time costs more than the block's integer dot product, so the fast paths
/// widen up to <see cref="Chunk"/> pairs at once, eight per 256-bit vector. Conversions are exact, so the
/// products equal the scalar reference's.
/// </summary>
internal static class VecDotScales
{
    /// <summary>Blocks per batch of scale products.</summary>
    public const int Chunk = 16;

    /// <summary>
    /// dst[i] = fp16(x + i·xStride) · fp16(y + i·yStride) for i &lt; count (≤ <see cref="Chunk"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Products(ref byte x, nuint xStride, ref byte y, nuint yStride, int count, Span<float> dst)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= count; i += 8)
            {
                Vector256<float> dx = HalfConvert.HalfToSingle(Gather8(ref x, xStride, i));
                Vector256<float> dy = HalfConvert.HalfToSingle(Gather8(ref y, yStride, i));
                (dx * dy).StoreUnsafe(ref dst[i]);
            }
        }
        for (; i < count; i++)
            dst[i] = VecDotInt8.LoadHalf(ref x, (nuint)i * xStride) * VecDotInt8.LoadHalf(ref y, (nuint)i * yStride);
    }

    /// <summary>Σ fp16(x + i·xStride) · fp16(y + i·yStride) over i &lt; count: the min terms of Q4_1/Q5_1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SumOfProducts(ref byte x, nuint xStride, ref byte y, nuint yStride, int count)
    {
        Span<float> products = stackalloc float[Chunk];
        float sum = 0;
        for (int start = 0; start < count; start += Chunk)
        {
            int c = Math.Min(Chunk, count - start);
            Products(ref Unsafe.Add(ref x, (nuint)start * xStride), xStride, ref Unsafe.Add(ref y, (nuint)start * yStride), yStride, c, products);
            for (int i = 0; i < c; i++)
                sum += products[i];
        }
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Gather8(ref byte row, nuint stride, int first)
    {
        ref byte p = ref Unsafe.Add(ref row, (nuint)first * stride);
        return Vector256.Create(Half(ref p, 0), Half(ref p, stride), Half(ref p, 2 * stride), Half(ref p, 3 * stride),
            Half(ref p, 4 * stride), Half(ref p, 5 * stride), Half(ref p, 6 * stride), Half(ref p, 7 * stride));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Half(ref byte p, nuint offset) => Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref p, offset));
}
