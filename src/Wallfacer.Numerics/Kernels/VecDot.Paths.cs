using System.Runtime.Intrinsics;

namespace Wallfacer.Numerics.Quants;

/// <summary>The implementations every dot product has; <see cref="VecDot.Dot"/> picks the widest that runs fast here.</summary>
internal enum VecDotPath
{
    /// <summary>The scalar reference (also the fallback without SIMD).</summary>
    Reference,
    /// <summary>128-bit vectors: Arm64 NEON (with <c>sdot</c> when present), SSSE3, or portable.</summary>
    Vector128,
    /// <summary>256-bit vectors: AVX2 (with AVX-VNNI when present) or portable.</summary>
    Vector256,
    /// <summary>512-bit vectors with AVX-512 BW.</summary>
    Vector512,
}

public static partial class VecDot
{
    /// <summary>Whether <paramref name="path"/> runs on this machine (a test may still call a portable path that is not accelerated, only slowly).</summary>
    internal static bool IsAccelerated(VecDotPath path) => path switch
    {
        VecDotPath.Reference => true,
        VecDotPath.Vector128 => Vector128.IsHardwareAccelerated,
        VecDotPath.Vector256 => Vector256.IsHardwareAccelerated,
        VecDotPath.Vector512 => VecDotInt8.Use512,
        _ => false,
    };

    /// <summary>
    /// The dot product through one chosen path (no row checks: tests pass well-formed rows), so tests can prove
    /// paths this machine would not pick, e.g. the 128-bit code on an AVX-512 machine.
    /// </summary>
    internal static float DotOnPath(VecDotPath path, GgmlType weightType, ReadOnlySpan<byte> weightRow, ReadOnlySpan<byte> activationRow, int n) => path switch
    {
        VecDotPath.Reference => Reference(weightType, weightRow, activationRow, n),
        VecDotPath.Vector128 => Dot128(weightType, weightRow, activationRow, n),
        VecDotPath.Vector256 => Dot256(weightType, weightRow, activationRow, n),
        VecDotPath.Vector512 => Dot512(weightType, weightRow, activationRow, n),
        _ => throw new ArgumentOutOfRangeException(nameof(path)),
    };

    private static float Dot128(GgmlType weightType, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => weightType switch
    {
        GgmlType.F32 => VecDotF32.Dot128(x, y, n),
        GgmlType.F16 => VecDotF16.Dot128(x, y, n),
        GgmlType.BF16 => VecDotBF16.Dot128(x, y, n),
        GgmlType.Q4_0 => VecDotQ4_0.Dot128(x, y, n),
        GgmlType.Q4_1 => VecDotQ4_1.Dot128(x, y, n),
        GgmlType.Q5_0 => VecDotQ5_0.Dot128(x, y, n),
        GgmlType.Q5_1 => VecDotQ5_1.Dot128(x, y, n),
        GgmlType.Q8_0 => VecDotQ8_0.Dot128(x, y, n),
        GgmlType.Q2_K => VecDotQ2K.Dot128(x, y, n),
        GgmlType.Q3_K => VecDotQ3K.Dot128(x, y, n),
        GgmlType.Q4_K => VecDotQ4K.Dot128(x, y, n),
        GgmlType.Q5_K => VecDotQ5K.Dot128(x, y, n),
        GgmlType.Q6_K => VecDotQ6K.Dot128(x, y, n),
        _ => throw new NotSupportedException($"No dot product for weight type {weightType}."),
    };

    private static float Dot256(GgmlType weightType, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => weightType switch
    {
        GgmlType.F32 => VecDotF32.Dot256(x, y, n),
        GgmlType.F16 => VecDotF16.Dot256(x, y, n),
        GgmlType.BF16 => VecDotBF16.Dot256(x, y, n),
        GgmlType.Q4_0 => VecDotQ4_0.Dot256(x, y, n),
        GgmlType.Q4_1 => VecDotQ4_1.Dot256(x, y, n),
        GgmlType.Q5_0 => VecDotQ5_0.Dot256(x, y, n),
        GgmlType.Q5_1 => VecDotQ5_1.Dot256(x, y, n),
        GgmlType.Q8_0 => VecDotQ8_0.Dot256(x, y, n),
        GgmlType.Q2_K => VecDotQ2K.Dot256(x, y, n),
        GgmlType.Q3_K => VecDotQ3K.Dot256(x, y, n),
        GgmlType.Q4_K => VecDotQ4K.Dot256(x, y, n),
        GgmlType.Q5_K => VecDotQ5K.Dot256(x, y, n),
        GgmlType.Q6_K => VecDotQ6K.Dot256(x, y, n),
        _ => throw new NotSupportedException($"No dot product for weight type {weightType}."),
    };

    private static float Dot512(GgmlType weightType, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n) => weightType switch
    {
        GgmlType.F32 => VecDotF32.Dot512(x, y, n),
        GgmlType.F16 => VecDotF16.Dot512(x, y, n),
        GgmlType.BF16 => VecDotBF16.Dot512(x, y, n),
        GgmlType.Q4_0 => VecDotQ4_0.Dot512(x, y, n),
        GgmlType.Q4_1 => VecDotQ4_1.Dot512(x, y, n),
        GgmlType.Q5_0 => VecDotQ5_0.Dot512(x, y, n),
        GgmlType.Q5_1 => VecDotQ5_1.Dot512(x, y, n),
        GgmlType.Q8_0 => VecDotQ8_0.Dot512(x, y, n),
        GgmlType.Q2_K => VecDotQ2K.Dot512(x, y, n),
        GgmlType.Q3_K => VecDotQ3K.Dot512(x, y, n),
        GgmlType.Q4_K => VecDotQ4K.Dot512(x, y, n),
        GgmlType.Q5_K => VecDotQ5K.Dot512(x, y, n),
        GgmlType.Q6_K => VecDotQ6K.Dot512(x, y, n),
        _ => throw new NotSupportedException($"No dot product for weight type {weightType}."),
    };
}
