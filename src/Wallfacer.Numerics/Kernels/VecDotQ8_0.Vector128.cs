using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Wallfacer.Numerics.Quants;

/// <summary>Q8_0 · Q8_0 with 128-bit vectors (Arm64 NEON/sdot, SSSE3, or portable): one block as two halves.</summary>
internal static partial class VecDotQ8_0
{
    internal static float Dot128(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        ref byte px = ref MemoryMarshal.GetReference(x);
        ref byte py = ref MemoryMarshal.GetReference(y);
        Span<float> d = stackalloc float[VecDotScales.Chunk];
        Vector128<float> acc = default;
        int blocks = n / 32;
        for (int start = 0; start < blocks; start += VecDotScales.Chunk)
        {
            int count = Math.Min(VecDotScales.Chunk, blocks - start);
            nuint o = (nuint)start * Bytes;
            VecDotScales.Products(ref Unsafe.Add(ref px, o), Bytes, ref Unsafe.Add(ref py, o), Bytes, count, d);
            for (int k = 0; k < count; k++, o += Bytes)
            {
                Vector128<int> sums = VecDotInt8.DotSigned(default, Vector128.LoadUnsafe(ref px, o + 2).AsSByte(), Vector128.LoadUnsafe(ref py, o + 2).AsSByte());
                sums = VecDotInt8.DotSigned(sums, Vector128.LoadUnsafe(ref px, o + 18).AsSByte(), Vector128.LoadUnsafe(ref py, o + 18).AsSByte());
                acc = VecDotInt8.Accumulate(acc, sums, d[k]);
            }
        }
        return Vector128.Sum(acc);
    }
}
