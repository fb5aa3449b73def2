using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Wallfacer.Numerics.Quants;

/// <summary>
/// The activation quantizer with AVX-512: one 32-float block is two vectors. A prompt quantizes every activation row
/// before each matrix product, and the scalar loop (a round and a clamp per element) cost as much as a tenth of the
/// prompt's integer kernels.
/// </summary>
internal static partial class BlockQ8_0
{
    /// <summary>True when <see cref="QuantizeActivation512"/> runs (a JIT-time constant).</summary>
    internal static bool UseActivation512
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;
    }

    /// <summary>
    /// <see cref="QuantizeActivationReference"/>, bit for bit: the same amax (<see cref="Vector512.Max{T}"/> propagates
    /// NaN and orders −0 below +0 as <see cref="MathF.Max(float, float)"/> does, and a maximum does not depend on the
    /// order it is taken in), the same fp32 products x·id, the same round-to-nearest-even, and a saturating narrowing
    /// (<c>vpmovsdb</c>) for the clamp to [−128, 127]; float → int conversion saturates (NaN → 0) in both.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void QuantizeActivation512(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int blocks = src.Length / BlockSize;
        if (dst.Length < blocks * BlockBytes)
            throw new ArgumentException("Destination too small for the activation row.", nameof(dst));
        ref float x = ref MemoryMarshal.GetReference(src);
        ref byte o = ref MemoryMarshal.GetReference(dst);
        for (int ib = 0; ib < blocks; ib++)
        {
            Vector512<float> a = Vector512.LoadUnsafe(ref x, (nuint)(ib * BlockSize));
            Vector512<float> b = Vector512.LoadUnsafe(ref x, (nuint)(ib * BlockSize + 16));
            Vector512<float> m = Vector512.Max(Vector512.Abs(a), Vector512.Abs(b));
            ref byte block = ref Unsafe.Add(ref o, ib * BlockBytes);
            Vector512<float> id = Vector512.Create(WriteScale(ref block, Vector256.Max(m.GetLower(), m.GetUpper())));
            Avx512F.ConvertToVector128SByteWithSaturation(Vector512.ConvertToInt32(Vector512.Round(a * id))).StoreUnsafe(ref Unsafe.As<byte, sbyte>(ref Unsafe.Add(ref block, 2)));
            Avx512F.ConvertToVector128SByteWithSaturation(Vector512.ConvertToInt32(Vector512.Round(b * id))).StoreUnsafe(ref Unsafe.As<byte, sbyte>(ref Unsafe.Add(ref block, 18)));
        }
    }
}
