using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Wallfacer.Numerics.Quants;

/// <summary>
/// The activation quantizer with AVX2 (machines without AVX-512): one 32-float block is four vectors, narrowed with
/// saturating packs as llama.cpp's AVX2 quantize_row_q8_0 does. Without it, one-thread generation spent about 2% of its
/// time in the scalar loop.
/// </summary>
internal static partial class BlockQ8_0
{
    /// <summary>True when <see cref="QuantizeActivation256"/> runs (a JIT-time constant).</summary>
    internal static bool UseActivation256
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256.IsHardwareAccelerated && Avx2.IsSupported;
    }

    /// <summary>
    /// <see cref="QuantizeActivationReference"/>, bit for bit, as <see cref="QuantizeActivation512"/> argues: the same
    /// amax, products, round-to-nearest-even and saturating float → int conversion; the clamp to [−128, 127] is two
    /// saturating packs (int32 → int16 → int8), whose 128-bit-lane interleaving one dword permute undoes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void QuantizeActivation256(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int blocks = src.Length / BlockSize;
        if (dst.Length < blocks * BlockBytes)
            throw new ArgumentException("Destination too small for the activation row.", nameof(dst));
        ref float x = ref MemoryMarshal.GetReference(src);
        ref byte o = ref MemoryMarshal.GetReference(dst);
        Vector256<int> order = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
        for (int ib = 0; ib < blocks; ib++)
        {
            nuint first = (nuint)(ib * BlockSize);
            Vector256<float> a = Vector256.LoadUnsafe(ref x, first), b = Vector256.LoadUnsafe(ref x, first + 8);
            Vector256<float> c = Vector256.LoadUnsafe(ref x, first + 16), d = Vector256.LoadUnsafe(ref x, first + 24);
            Vector256<float> m8 = Vector256.Max(Vector256.Max(Vector256.Abs(a), Vector256.Abs(b)), Vector256.Max(Vector256.Abs(c), Vector256.Abs(d)));
            ref byte block = ref Unsafe.Add(ref o, ib * BlockBytes);
            Vector256<float> id = Vector256.Create(WriteScale(ref block, m8));
            Vector256<short> ab = Avx2.PackSignedSaturate(Quantized(a, id), Quantized(b, id));
            Vector256<short> cd = Avx2.PackSignedSaturate(Quantized(c, id), Quantized(d, id));
            Vector256<sbyte> packed = Avx2.PackSignedSaturate(ab, cd);
            Avx2.PermuteVar8x32(packed.AsInt32(), order).AsByte().StoreUnsafe(ref Unsafe.Add(ref block, 2));
        }
    }

    /// <summary>
    /// Writes the block's scale amax / 127 (amax the largest of <paramref name="absMax8"/>'s lanes) and returns the
    /// multiplier 127 / amax (0 for an all-zero block): the vector quantizers' shared step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float WriteScale(ref byte block, Vector256<float> absMax8)
    {
        Vector128<float> m4 = Vector128.Max(absMax8.GetLower(), absMax8.GetUpper());
        float amax = MathF.Max(MathF.Max(m4.GetElement(0), m4.GetElement(1)), MathF.Max(m4.GetElement(2), m4.GetElement(3)));
        Unsafe.WriteUnaligned(ref block, HalfConvert.SingleToHalf(amax / 127f));
        return amax != 0.0f ? 127f / amax : 0.0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Quantized(Vector256<float> v, Vector256<float> id) => Vector256.ConvertToInt32(Vector256.Round(v * id));
}
