using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// Weights stored as 32-element blocks with one fp16 scale (Q4_0, Q8_0) × Q8_0 activations, for many (row,
/// token) pairs at once, with AVX-512. Per pair it computes exactly what <see cref="VecDot.Dot"/> computes on
/// the AVX-512 path (same integer partial sums, same scale products, same accumulation order), so results are
/// bit-identical; what changes is reuse: a pair of weight blocks is unpacked once for four tokens (prompt), or
/// an activation block is loaded once for four rows (generation), and the per-call overhead of the general
/// dispatcher is paid once per row, not per pair. <typeparamref name="TFormat"/> says how a weight block unpacks.
/// </summary>
internal static unsafe class MatMulQ8Pairs<TFormat, TUnpacked>
    where TFormat : struct, IQ8PairFormat<TUnpacked>
    where TUnpacked : struct
{
    private static int WeightBlockBytes => TFormat.BlockBytes;
    private const int ActivationBlockBytes = 34; // fp16 d + 32 int8

    /// <summary>True when this kernel can run (it reproduces the AVX-512 dot product, so only then).</summary>
    public static bool IsSupported => VecDotInt8.Use512;

    /// <summary>
    /// y[t·yStride + r] = dot(W[r], x[t]) for rows [start, end) and every token. <paramref name="dx"/> holds the
    /// activation block scales as floats, (tokens, blocks); <paramref name="dw"/> is scratch for 4 rows of weight
    /// scales (4 × blocks floats).
    /// </summary>
    public static void Run(byte* w, int rowBytes, int start, int end, int blocks, byte* acts, int actRowBytes,
        float* dx, int tokens, float* y, int yStride, float* dw)
    {
        if (tokens >= 4)
        {
            for (int r = start; r < end; r++)
            {
                byte* row = w + (long)r * rowBytes;
                LoadScales(row, blocks, dw);
                int t = 0;
                for (; t + 4 <= tokens; t += 4)
                    Row1Tokens4(row, dw, acts + (long)t * actRowBytes, actRowBytes, dx + (long)t * blocks, blocks, y + (long)t * yStride + r, yStride);
                for (; t < tokens; t++)
                    y[(long)t * yStride + r] = Row1Token1(row, dw, acts + (long)t * actRowBytes, dx + (long)t * blocks, blocks);
            }
            return;
        }
        int g = start;
        for (; g + 4 <= end; g += 4)
        {
            for (int i = 0; i < 4; i++)
                LoadScales(w + (long)(g + i) * rowBytes, blocks, dw + i * blocks);
            for (int t = 0; t < tokens; t++)
                Rows4Token1(w + (long)g * rowBytes, rowBytes, dw, acts + (long)t * actRowBytes, dx + (long)t * blocks, blocks, y + (long)t * yStride + g);
        }
        for (; g < end; g++)
        {
            byte* row = w + (long)g * rowBytes;
            LoadScales(row, blocks, dw);
            for (int t = 0; t < tokens; t++)
                y[(long)t * yStride + g] = Row1Token1(row, dw, acts + (long)t * actRowBytes, dx + (long)t * blocks, blocks);
        }
    }

    /// <summary>
    /// The row's block scales as floats. The fp16 values sit 18 or 34 bytes apart; they are gathered as bits first
    /// and widened in one vectorised pass (a scalar conversion per block cost as much as the block's dot product).
    /// </summary>
    private static void LoadScales(byte* row, int blocks, float* dw)
    {
        ushort* bits = stackalloc ushort[256];
        for (int start = 0; start < blocks; start += 256)
        {
            int count = Math.Min(256, blocks - start);
            byte* p = row + (long)start * WeightBlockBytes;
            for (int b = 0; b < count; b++)
                bits[b] = Unsafe.ReadUnaligned<ushort>(p + b * WeightBlockBytes);
            HalfConvert.HalfToSingle(new ReadOnlySpan<ushort>(bits, count), new Span<float>(dw + start, count));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Sums(TUnpacked w, Vector512<sbyte> y) => TFormat.Sums(w, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TUnpacked Nibbles(byte* row, int b) => TFormat.Pair(row + b * WeightBlockBytes + 2, row + (b + 1) * WeightBlockBytes + 2);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TUnpacked LastNibbles(byte* row, int b) => TFormat.Last(row + b * WeightBlockBytes + 2);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<sbyte> Activations(byte* act, int b) =>
        Vector512.Create(Vector256.Load(act + b * ActivationBlockBytes + 2), Vector256.Load(act + (b + 1) * ActivationBlockBytes + 2)).AsSByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<sbyte> LastActivations(byte* act, int b) =>
        Vector512.Create(Vector256.Load(act + b * ActivationBlockBytes + 2), default).AsSByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Scale(float low, float high) =>
        Vector512.Create(Vector256.Create(low), Vector256.Create(high));

    private static float Row1Token1(byte* row, float* dw, byte* act, float* dx, int blocks)
    {
        Vector512<float> acc = default;
        int b = 0;
        for (; b + 2 <= blocks; b += 2)
            acc = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(Sums(Nibbles(row, b), Activations(act, b))), Scale(dw[b] * dx[b], dw[b + 1] * dx[b + 1]), acc);
        if (b < blocks)
            acc = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(Sums(LastNibbles(row, b), LastActivations(act, b))), Scale(dw[b] * dx[b], 0), acc);
        return Vector512.Sum(acc);
    }

    private static void Row1Tokens4(byte* row, float* dw, byte* act, int actRowBytes, float* dx, int blocks, float* y, int yStride)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        byte* x0 = act, x1 = act + actRowBytes, x2 = act + 2 * actRowBytes, x3 = act + 3 * actRowBytes;
        float* d0 = dx, d1 = dx + blocks, d2 = dx + 2 * blocks, d3 = dx + 3 * blocks;
        int b = 0;
        for (; b + 2 <= blocks; b += 2)
        {
            TUnpacked q = Nibbles(row, b);
            float wl = dw[b], wh = dw[b + 1];
            a0 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(Sums(q, Activations(x0, b))), Scale(wl * d0[b], wh * d0[b + 1]), a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(Sums(q, Activations(x1, b))), Scale(wl * d1[b], wh * d1[b + 1]), a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(Sums(q, Activations(x2, b))), Scale(wl * d2[b], wh * d2[b + 1]), a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(Sums(q, Activations(x3, b))), Scale(wl * d3[b], wh * d3[b + 1]), a3);
        }
        if (b < blocks)
        {
            TUnpacked q = LastNibbles(row, b);
            float wl = dw[b];
            a0 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(Sums(q, LastActivations(x0, b))), Scale(wl * d0[b], 0), a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(Sums(q, LastActivations(x1, b))), Scale(wl * d1[b], 0), a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(Sums(q, LastActivations(x2, b))), Scale(wl * d2[b], 0), a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(Sums(q, LastActivations(x3, b))), Scale(wl * d3[b], 0), a3);
        }
        y[0] = Vector512.Sum(a0);
        y[yStride] = Vector512.Sum(a1);
        y[2L * yStride] = Vector512.Sum(a2);
        y[3L * yStride] = Vector512.Sum(a3);
    }

    private static void Rows4Token1(byte* rows, int rowBytes, float* dw, byte* act, float* dx, int blocks, float* y)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        byte* r0 = rows, r1 = rows + rowBytes, r2 = rows + 2 * rowBytes, r3 = rows + 3 * rowBytes;
        float* w0 = dw, w1 = dw + blocks, w2 = dw + 2 * blocks, w3 = dw + 3 * blocks;
        int b = 0;
        for (; b + 2 <= blocks; b += 2)
        {
            Vector512<sbyte> x = Activations(act, b);
            float xl = dx[b], xh = dx[b + 1];
            a0 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(Sums(Nibbles(r0, b), x)), Scale(w0[b] * xl, w0[b + 1] * xh), a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(Sums(Nibbles(r1, b), x)), Scale(w1[b] * xl, w1[b + 1] * xh), a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(Sums(Nibbles(r2, b), x)), Scale(w2[b] * xl, w2[b + 1] * xh), a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(Sums(Nibbles(r3, b), x)), Scale(w3[b] * xl, w3[b + 1] * xh), a3);
        }
        if (b < blocks)
        {
            Vector512<sbyte> x = LastActivations(act, b);
            float xl = dx[b];
            a0 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(Sums(LastNibbles(r0, b), x)), Scale(w0[b] * xl, 0), a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(Sums(LastNibbles(r1, b), x)), Scale(w1[b] * xl, 0), a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(Sums(LastNibbles(r2, b), x)), Scale(w2[b] * xl, 0), a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(Sums(LastNibbles(r3, b), x)), Scale(w3[b] * xl, 0), a3);
        }
        y[0] = Vector512.Sum(a0);
        y[1] = Vector512.Sum(a1);
        y[2] = Vector512.Sum(a2);
        y[3] = Vector512.Sum(a3);
    }
}
