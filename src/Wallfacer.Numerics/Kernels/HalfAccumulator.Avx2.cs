using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// <see cref="MultiplyAddRows(ReadOnlySpan{float}, int, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/> on
/// AVX2 machines: the accumulator stays in registers across the rows, 64 lanes (eight vectors, a whole head of 64) at a
/// time, as the AVX-512 path does with 16-lane vectors. Row by row, each key cost a call, a load and a store of the
/// whole accumulator besides its rounding; with 512 keys in the cache, the value side of generation's attention took
/// about a fifth of a Qwen2.5-0.5B Q8_0 token at one thread. Each lane sees the same operations: bit-identical.
/// </summary>
public static partial class HalfAccumulator
{
    /// <summary>Whether the AVX2 register path takes rows of <paramref name="width"/> (whole vectors of eight).</summary>
    private static bool RowsInRegisters256(int width) =>
        !Vector512.IsHardwareAccelerated && Vector256.IsHardwareAccelerated && Avx2.IsSupported && Fma.IsSupported && width % 8 == 0;

    /// <summary>Eight values of a row as floats.</summary>
    private interface IRowLoader8<T>
    {
        static abstract Vector256<float> Load8(ref T row, int i);
    }

    private struct HalfRows8 : IRowLoader8<ushort>
    {
        public static Vector256<float> Load8(ref ushort row, int i) =>
            HalfConvert.HalfToSingle(Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref row, (nuint)i)).AsUInt32());
    }

    private struct FloatRows8 : IRowLoader8<float>
    {
        public static Vector256<float> Load8(ref float row, int i) => Vector256.LoadUnsafe(ref row, (nuint)i);
    }

    private static void MultiplyAddRowsAvx2<T, TLoader>(ref T rows, int stride, ReadOnlySpan<float> rescales, ReadOnlySpan<float> weights,
        Span<float> acc)
        where TLoader : struct, IRowLoader8<T>
    {
        int d = 0, width = acc.Length;
        for (; d + 64 <= width; d += 64)
            MultiplyAddRows64Avx2<T, TLoader>(ref rows, stride, d, rescales, weights, acc);
        for (; d < width; d += 8)
            MultiplyAddRows8Avx2<T, TLoader>(ref rows, stride, d, rescales, weights, acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyAddRows64Avx2<T, TLoader>(ref T r, int stride, int d, ReadOnlySpan<float> rescales,
        ReadOnlySpan<float> weights, Span<float> acc)
        where TLoader : struct, IRowLoader8<T>
    {
        ref float a = ref MemoryMarshal.GetReference(acc);
        var a0 = Vector256.LoadUnsafe(ref a, (nuint)d);
        var a1 = Vector256.LoadUnsafe(ref a, (nuint)(d + 8));
        var a2 = Vector256.LoadUnsafe(ref a, (nuint)(d + 16));
        var a3 = Vector256.LoadUnsafe(ref a, (nuint)(d + 24));
        var a4 = Vector256.LoadUnsafe(ref a, (nuint)(d + 32));
        var a5 = Vector256.LoadUnsafe(ref a, (nuint)(d + 40));
        var a6 = Vector256.LoadUnsafe(ref a, (nuint)(d + 48));
        var a7 = Vector256.LoadUnsafe(ref a, (nuint)(d + 56));
        for (int j = 0; j < weights.Length; j++)
        {
            if (rescales[j] != 1f)
            {
                var m = Vector256.Create(rescales[j]);
                a0 = HalfRounding.RoundToHalf(a0 * m);
                a1 = HalfRounding.RoundToHalf(a1 * m);
                a2 = HalfRounding.RoundToHalf(a2 * m);
                a3 = HalfRounding.RoundToHalf(a3 * m);
                a4 = HalfRounding.RoundToHalf(a4 * m);
                a5 = HalfRounding.RoundToHalf(a5 * m);
                a6 = HalfRounding.RoundToHalf(a6 * m);
                a7 = HalfRounding.RoundToHalf(a7 * m);
            }
            var w = Vector256.Create(weights[j]);
            int o = j * stride + d;
            a0 = HalfRounding.RoundToHalf(Fma.MultiplyAdd(TLoader.Load8(ref r, o), w, a0));
            a1 = HalfRounding.RoundToHalf(Fma.MultiplyAdd(TLoader.Load8(ref r, o + 8), w, a1));
            a2 = HalfRounding.RoundToHalf(Fma.MultiplyAdd(TLoader.Load8(ref r, o + 16), w, a2));
            a3 = HalfRounding.RoundToHalf(Fma.MultiplyAdd(TLoader.Load8(ref r, o + 24), w, a3));
            a4 = HalfRounding.RoundToHalf(Fma.MultiplyAdd(TLoader.Load8(ref r, o + 32), w, a4));
            a5 = HalfRounding.RoundToHalf(Fma.MultiplyAdd(TLoader.Load8(ref r, o + 40), w, a5));
            a6 = HalfRounding.RoundToHalf(Fma.MultiplyAdd(TLoader.Load8(ref r, o + 48), w, a6));
            a7 = HalfRounding.RoundToHalf(Fma.MultiplyAdd(TLoader.Load8(ref r, o + 56), w, a7));
        }
        a0.StoreUnsafe(ref a, (nuint)d);
        a1.StoreUnsafe(ref a, (nuint)(d + 8));
        a2.StoreUnsafe(ref a, (nuint)(d + 16));
        a3.StoreUnsafe(ref a, (nuint)(d + 24));
        a4.StoreUnsafe(ref a, (nuint)(d + 32));
        a5.StoreUnsafe(ref a, (nuint)(d + 40));
        a6.StoreUnsafe(ref a, (nuint)(d + 48));
        a7.StoreUnsafe(ref a, (nuint)(d + 56));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyAddRows8Avx2<T, TLoader>(ref T r, int stride, int d, ReadOnlySpan<float> rescales,
        ReadOnlySpan<float> weights, Span<float> acc)
        where TLoader : struct, IRowLoader8<T>
    {
        ref float a = ref MemoryMarshal.GetReference(acc);
        var a0 = Vector256.LoadUnsafe(ref a, (nuint)d);
        for (int j = 0; j < weights.Length; j++)
        {
            if (rescales[j] != 1f)
                a0 = HalfRounding.RoundToHalf(a0 * Vector256.Create(rescales[j]));
            a0 = HalfRounding.RoundToHalf(Fma.MultiplyAdd(TLoader.Load8(ref r, j * stride + d), Vector256.Create(weights[j]), a0));
        }
        a0.StoreUnsafe(ref a, (nuint)d);
    }
}
