using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// <see cref="VecDotInt8.Twice"/> reads the 32 bytes at its address, also when the JIT folds an offset into the
/// instruction's displacement. .NET 10's <c>vbroadcasti64x4</c> (<c>Avx512F.BroadcastVector256ToVector512(ulong*)</c>)
/// compresses such a displacement for 16 bytes instead of 32 and read the wrong bytes in the K-quant kernels; this
/// fails if Twice goes back to that instruction. Only optimized code folds the offset, which is why this project and
/// Wallfacer.Numerics build with optimizations in every configuration (checked: in Debug with the bad overload, this
/// test and the K-quant MatVecRowsTests fail).
/// </summary>
public sealed class TwiceTests
{
    [Fact]
    public unsafe void Broadcasts_the_32_bytes_at_an_offset_address()
    {
        if (!VecDotInt8.Use512)
            return; // a per-tier child run with AVX-512 off: no kernel takes Twice there
        byte* buffer = stackalloc byte[1024];
        for (int i = 0; i < 1024; i++)
            buffer[i] = (byte)(i * 7 + (i >> 8));
        Assert.Equal(Expected(buffer + 0xA0), At0xA0(buffer));
        Assert.Equal(Expected(buffer + 0x40), At0x40(buffer));
        Assert.Equal(Expected(buffer + 0x1E0), At0x1E0(buffer));
    }

    private static unsafe Vector512<byte> Expected(byte* p)
    {
        var bytes = new byte[64];
        for (int i = 0; i < 64; i++)
            bytes[i] = p[i % 32];
        return Vector512.Create(bytes);
    }

    // Constant offsets in separate, fully optimized methods (Twice inlined), so that the JIT encodes them as displacements.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe Vector512<byte> At0xA0(byte* p) => VecDotInt8.Twice(p + 0xA0);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe Vector512<byte> At0x40(byte* p) => VecDotInt8.Twice(p + 0x40);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe Vector512<byte> At0x1E0(byte* p) => VecDotInt8.Twice(p + 0x1E0);
}
