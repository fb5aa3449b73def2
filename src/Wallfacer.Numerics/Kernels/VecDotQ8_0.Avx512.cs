using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Wallfacer.Numerics.Quants;

/// <summary>Q8_0 · Q8_0 with AVX-512: two blocks per 512-bit vector, scales widened in batches.</summary>
internal static partial class VecDotQ8_0
{
    internal static float Dot512(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        ref byte px = ref MemoryMarshal.GetReference(x);
        ref byte py = ref MemoryMarshal.GetReference(y);
        Span<float> d = stackalloc float[VecDotScales.Chunk];
        Vector512<float> acc = default;
        int blocks = n / 32;
        for (int start = 0; start < blocks; start += VecDotScales.Chunk)
        {
            int count = Math.Min(VecDotScales.Chunk, blocks - start);
            nuint o = (nuint)start * Bytes;
            VecDotScales.Products(ref Unsafe.Add(ref px, o), Bytes, ref Unsafe.Add(ref py, o), Bytes, count, d);
            int k = 0;
            for (; k + 2 <= count; k += 2, o += 2 * Bytes)
            {
                Vector512<sbyte> qx = VecDotInt8.LoadPair(ref px, o + 2, o + Bytes + 2).AsSByte();
                Vector512<sbyte> qy = VecDotInt8.LoadPair(ref py, o + 2, o + Bytes + 2).AsSByte();
                acc = VecDotInt8.Accumulate(acc, VecDotInt8.DotSigned(default, qx, qy), d[k], d[k + 1]);
            }
            if (k < count)
            {
                // An odd last block fills the low half; the zero high half gets scale 0.
                Vector512<sbyte> qx = Vector512.Create(Vector256.LoadUnsafe(ref px, o + 2), default).AsSByte();
                Vector512<sbyte> qy = Vector512.Create(Vector256.LoadUnsafe(ref py, o + 2), default).AsSByte();
                acc = VecDotInt8.Accumulate(acc, VecDotInt8.DotSigned(default, qx, qy), d[k], 0);
            }
        }
        return Vector512.Sum(acc);
    }
}
