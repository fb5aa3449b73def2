namespace Wallfacer.Numerics.Quants;

// Width fallbacks, so every kernel exposes Dot128/Dot256/Dot512 for VecDot.DotOnPath and its dispatcher.
// No 512-bit path: for these types a 512-bit version was no faster (measured for F32 with
// bench/Wallfacer.Bench.Kernels: F32 streamed 21 vs 32 GB/s) or is not
// written yet, so they keep the 256-bit path. No 128-bit path yet: these fall back to the scalar reference on
// machines without 256-bit vectors (Arm64) — the next kernels to write.

internal static partial class VecDotF32
{
    internal static float Dot512(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Dot256(x, y, n);
}

internal static partial class VecDotF16
{
    internal static float Dot512(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Dot256(x, y, n);
}

internal static partial class VecDotBF16
{
    internal static float Dot512(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Dot256(x, y, n);
}

internal static partial class VecDotQ4_1
{
    internal static float Dot512(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Dot256(x, y, n);
}

internal static partial class VecDotQ5_1
{
    internal static float Dot512(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Dot256(x, y, n);
}

internal static partial class VecDotQ2K
{
    internal static float Dot512(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Dot256(x, y, n);
}

internal static partial class VecDotQ3K
{
    internal static float Dot512(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Dot256(x, y, n);
}

internal static partial class VecDotQ5K
{
    internal static float Dot512(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Dot256(x, y, n);
}

internal static partial class VecDotF16
{
    internal static float Dot128(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Reference(x, y, n);
}

internal static partial class VecDotBF16
{
    internal static float Dot128(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Reference(x, y, n);
}

internal static partial class VecDotQ4_1
{
    internal static float Dot128(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Reference(x, y, n);
}

internal static partial class VecDotQ5_0
{
    internal static float Dot128(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Reference(x, y, n);
}

internal static partial class VecDotQ5_1
{
    internal static float Dot128(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Reference(x, y, n);
}

internal static partial class VecDotQ2K
{
    internal static float Dot128(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Reference(x, y, n);
}

internal static partial class VecDotQ3K
{
    internal static float Dot128(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Reference(x, y, n);
}

internal static partial class VecDotQ4K
{
    internal static float Dot128(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Reference(x, y, n);
}

internal static partial class VecDotQ5K
{
    internal static float Dot128(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Reference(x, y, n);
}

internal static partial class VecDotQ6K
{
    internal static float Dot128(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Reference(x, y, n);
}
