using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Wallfacer.Numerics.Quants;

/// <summary>F32 · F32 (ggml_vec_dot_f32, ggml-cpu/vec.cpp).</summary>
internal static partial class VecDotF32
{
    /// <summary>Products in float, summed in double (as ggml's scalar fallback).</summary>
    internal static float Reference(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        ReadOnlySpan<float> a = MemoryMarshal.Cast<byte, float>(x), b = MemoryMarshal.Cast<byte, float>(y);
        double sum = 0;
        for (int i = 0; i < n; i++)
            sum += a[i] * b[i];
        return (float)sum;
    }

    /// <summary>The widest path this machine runs; <see cref="VecDot.DotOnPath"/> selects one for tests.</summary>
    internal static float Dot(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        if (VecDotInt8.Use512)
            return Dot512(x, y, n);
        if (Vector256.IsHardwareAccelerated)
            return Dot256(x, y, n);
        if (Vector128.IsHardwareAccelerated)
            return Dot128(x, y, n);
        return Reference(x, y, n);
    }

    internal static float Dot256(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        if (n < 32)
            return Reference(x, y, n);
        ref float a = ref MemoryMarshal.GetReference(MemoryMarshal.Cast<byte, float>(x));
        ref float b = ref MemoryMarshal.GetReference(MemoryMarshal.Cast<byte, float>(y));
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        int i = 0;
        for (; i + 32 <= n; i += 32)
        {
            acc0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref a, (nuint)i), Vector256.LoadUnsafe(ref b, (nuint)i), acc0);
            acc1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref a, (nuint)i + 8), Vector256.LoadUnsafe(ref b, (nuint)i + 8), acc1);
            acc2 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref a, (nuint)i + 16), Vector256.LoadUnsafe(ref b, (nuint)i + 16), acc2);
            acc3 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref a, (nuint)i + 24), Vector256.LoadUnsafe(ref b, (nuint)i + 24), acc3);
        }
        for (; i + 8 <= n; i += 8)
            acc0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref a, (nuint)i), Vector256.LoadUnsafe(ref b, (nuint)i), acc0);
        float sum = Vector256.Sum(acc0 + acc1 + (acc2 + acc3));
        for (; i < n; i++)
            sum += Unsafe.Add(ref a, i) * Unsafe.Add(ref b, i);
        return sum;
    }
}
