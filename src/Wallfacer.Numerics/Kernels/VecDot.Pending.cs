namespace Wallfacer.Numerics.Quants;

internal static partial class VecDotF32
{
    internal static float Dot512(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Dot256(x, y, n);
}

internal static partial class VecDotF32
{
    internal static float Dot128(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Reference(x, y, n);
}

internal static partial class VecDotF16
{
    internal static float Dot512(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Dot256(x, y, n);
}

internal static partial class VecDotF16
{
    internal static float Dot128(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Reference(x, y, n);
}

internal static partial class VecDotBF16
{
    internal static float Dot512(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Dot256(x, y, n);
}

internal static partial class VecDotBF16
{
    internal static float Dot128(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Reference(x, y, n);
}

internal static partial class VecDotQ4_1
{
    internal static float Dot512(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Dot256(x, y, n);
}

internal static partial class VecDotQ4_1
{
    internal static float Dot128(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Reference(x, y, n);
}

internal static partial class VecDotQ5_0
{
    internal static float Dot512(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Dot256(x, y, n);
}

internal static partial class VecDotQ5_0
{
    internal static float Dot128(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Reference(x, y, n);
}

internal static partial class VecDotQ5_1
{
    internal static float Dot512(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Dot256(x, y, n);
}

internal static partial class VecDotQ5_1
{
    internal static float Dot128(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Reference(x, y, n);
}

internal static partial class VecDotQ2K
{
    internal static float Dot512(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Dot256(x, y, n);
}

internal static partial class VecDotQ2K
{
    internal static float Dot128(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Reference(x, y, n);
}

internal static partial class VecDotQ3K
{
    internal static float Dot512(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Dot256(x, y, n);
}

internal static partial class VecDotQ3K
{
    internal static float Dot128(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Reference(x, y, n);
}

internal static partial class VecDotQ4K
{
    internal static float Dot512(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Dot256(x, y, n);
}

internal static partial class VecDotQ4K
{
    internal static float Dot128(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Reference(x, y, n);
}

internal static partial class VecDotQ5K
{
    internal static float Dot512(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Dot256(x, y, n);
}

internal static partial class VecDotQ5K
{
    internal static float Dot128(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Reference(x, y, n);
}

internal static partial class VecDotQ6K
{
    internal static float Dot512(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Dot256(x, y, n);
}

internal static partial class VecDotQ6K
{
    internal static float Dot128(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => Reference(x, y, n);
}
