using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Wallfacer.Numerics.Quants;

/// <summary>BF16 · BF16 (ggml_vec_dot_bf16, ggml-cpu/vec.cpp): both sides widened to float.</summary>
internal static partial class VecDotBF16
{
    internal static float Reference(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        ReadOnlySpan<ushort> a = MemoryMarshal.Cast<byte, ushort>(x), b = MemoryMarshal.Cast<byte, ushort>(y);
        double sum = 0;
        for (int i = 0; i < n; i++)
            sum += HalfConvert.BFloat16ToSingle(a[i]) * HalfConvert.BFloat16ToSingle(b[i]);
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
        if (n < 16)
            return Reference(x, y, n);
        ref ushort a = ref MemoryMarshal.GetReference(MemoryMarshal.Cast<byte, ushort>(x));
        ref ushort b = ref MemoryMarshal.GetReference(MemoryMarshal.Cast<byte, ushort>(y));
        Vector256<float> acc0 = default, acc1 = default;
        int i = 0;
        for (; i + 16 <= n; i += 16)
        {
            Vector256<ushort> ha = Vector256.LoadUnsafe(ref a, (nuint)i), hb = Vector256.LoadUnsafe(ref b, (nuint)i);
            acc0 = Vector256.MultiplyAddEstimate(Widen(Vector256.WidenLower(ha)), Widen(Vector256.WidenLower(hb)), acc0);
            acc1 = Vector256.MultiplyAddEstimate(Widen(Vector256.WidenUpper(ha)), Widen(Vector256.WidenUpper(hb)), acc1);
        }
        float sum = Vector256.Sum(acc0 + acc1);
        for (; i < n; i++)
            sum += HalfConvert.BFloat16ToSingle(Unsafe.Add(ref a, i)) * HalfConvert.BFloat16ToSingle(Unsafe.Add(ref b, i));
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Widen(Vector256<uint> bits) => Vector256.ShiftLeft(bits, 16).AsSingle();
}
