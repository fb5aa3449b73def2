using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Wallfacer.Numerics.Quants;

/// <summary>Q4_0 · Q8_0 with AVX-512: two blocks per 512-bit vector, scales widened in batches.</summary>
internal static partial class VecDotQ4_0
{
    internal static float Dot512(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        ref byte px = ref MemoryMarshal.GetReference(x);
        ref byte py = ref MemoryMarshal.GetReference(y);
        Span<float> d = stackalloc float[VecDotScales.Chunk];
        Vector512<float> acc = default;
        Vector512<byte> eight = Vector512.Create((byte)8);
        int blocks = n / 32;
        for (int start = 0; start < blocks; start += VecDotScales.Chunk)
        {
            int count = Math.Min(VecDotScales.Chunk, blocks - start);
            nuint ox = (nuint)start * XBytes, oy = (nuint)start * YBytes;
            VecDotScales.Products(ref Unsafe.Add(ref px, ox), XBytes, ref Unsafe.Add(ref py, oy), YBytes, count, d);
            int k = 0;
            for (; k + 2 <= count; k += 2, ox += 2 * XBytes, oy += 2 * YBytes)
            {
                Vector512<byte> q = VecDotInt8.SplitNibblePair(Vector128.LoadUnsafe(ref px, ox + 2), Vector128.LoadUnsafe(ref px, ox + XBytes + 2));
                Vector512<sbyte> qy = VecDotInt8.LoadPair(ref py, oy + 2, oy + YBytes + 2).AsSByte();
                acc = VecDotInt8.Accumulate(acc, VecDotInt8.DotSigned(default, (q - eight).AsSByte(), qy), d[k], d[k + 1]);
            }
            if (k < count)
            {
                // An odd last block fills the low half; the high half's y is zero and its scale 0.
                Vector512<byte> q = Vector512.Create(VecDotInt8.SplitNibbles(Vector128.LoadUnsafe(ref px, ox + 2)), default);
                Vector512<sbyte> qy = Vector512.Create(Vector256.LoadUnsafe(ref py, oy + 2), default).AsSByte();
                acc = VecDotInt8.Accumulate(acc, VecDotInt8.DotSigned(default, (q - eight).AsSByte(), qy), d[k], 0);
            }
        }
        return Vector512.Sum(acc);
    }
}
