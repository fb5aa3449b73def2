using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Wallfacer.Numerics.Quants;

/// <summary>Q4_0 · Q8_0 with 128-bit vectors: low nibbles against y[0..16), high nibbles against y[16..32).</summary>
internal static partial class VecDotQ4_0
{
    internal static float Dot128(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        ref byte px = ref MemoryMarshal.GetReference(x);
        ref byte py = ref MemoryMarshal.GetReference(y);
        Span<float> d = stackalloc float[VecDotScales.Chunk];
        Vector128<float> acc = default;
        Vector128<byte> eight = Vector128.Create((byte)8);
        int blocks = n / 32;
        for (int start = 0; start < blocks; start += VecDotScales.Chunk)
        {
            int count = Math.Min(VecDotScales.Chunk, blocks - start);
            nuint ox = (nuint)start * XBytes, oy = (nuint)start * YBytes;
            VecDotScales.Products(ref Unsafe.Add(ref px, ox), XBytes, ref Unsafe.Add(ref py, oy), YBytes, count, d);
            for (int k = 0; k < count; k++, ox += XBytes, oy += YBytes)
            {
                Vector128<byte> packed = Vector128.LoadUnsafe(ref px, ox + 2);
                Vector128<sbyte> lo = (VecDotInt8.Nibbles(packed, high: false) - eight).AsSByte();
                Vector128<sbyte> hi = (VecDotInt8.Nibbles(packed, high: true) - eight).AsSByte();
                Vector128<int> sums = VecDotInt8.DotSigned(default, lo, Vector128.LoadUnsafe(ref py, oy + 2).AsSByte());
                sums = VecDotInt8.DotSigned(sums, hi, Vector128.LoadUnsafe(ref py, oy + 18).AsSByte());
                acc = VecDotInt8.Accumulate(acc, sums, d[k]);
            }
        }
        return Vector128.Sum(acc);
    }
}
