using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Wallfacer.Numerics.Quants;

/// <summary>F32 · F32 with 128-bit vectors (NEON <c>fmla</c> on Arm64).</summary>
internal static partial class VecDotF32
{
    internal static float Dot128(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        if (n < 16)
            return Reference(x, y, n);
        ref float a = ref MemoryMarshal.GetReference(MemoryMarshal.Cast<byte, float>(x));
        ref float b = ref MemoryMarshal.GetReference(MemoryMarshal.Cast<byte, float>(y));
        Vector128<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        nuint i = 0, count = (nuint)n;
        for (; i + 16 <= count; i += 16)
        {
            acc0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref a, i), Vector128.LoadUnsafe(ref b, i), acc0);
            acc1 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref a, i + 4), Vector128.LoadUnsafe(ref b, i + 4), acc1);
            acc2 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref a, i + 8), Vector128.LoadUnsafe(ref b, i + 8), acc2);
            acc3 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref a, i + 12), Vector128.LoadUnsafe(ref b, i + 12), acc3);
        }
        for (; i + 4 <= count; i += 4)
            acc0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref a, i), Vector128.LoadUnsafe(ref b, i), acc0);
        float sum = Vector128.Sum(acc0 + acc1 + (acc2 + acc3));
        for (; i < count; i++)
            sum += Unsafe.Add(ref a, i) * Unsafe.Add(ref b, i);
        return sum;
    }
}
