using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// One activation row × K-quant weights (Q4_K, Q6_K) with AVX2, fused multiply-adds where FMA is present: the machines
/// without AVX-512. One token goes row by row (<see cref="Row"/>, which is <see cref="VecDot.Dot"/>'s 256-bit path for
/// these types); several tokens share each super-block's unpacking (<see cref="RunTokens"/>) with each (row, token)
/// computed by the same operations, so results are bit-identical to the dot product whatever the batch.
/// </summary>
internal static unsafe class MatVecKRows256<TFormat> where TFormat : struct, IKRowFormat256
{
    private const int ActivationBytes = BlockQ8K.BlockBytes;

    /// <summary>True when this code runs here.</summary>
    public static bool CanRun => Avx2.IsSupported;

    /// <summary>y[r] = dot(W[r], x) for rows [start, end); <paramref name="act"/> is the Q8_K activation row.</summary>
    public static void Run(byte* w, int rowBytes, int start, int end, int blocks, byte* act, float* y)
    {
        // One row at a time: four rows in flight made the JIT spill (161 stack accesses in the four-row loop) and ran
        // Q4_K at 7.6–9.2 GB/s in cache against 9.7–13.1 row by row (Q6_K 9.5–10.4 against 12.6–16.5), and one row is
        // one sequential stream the hardware prefetchers follow.
        for (int r = start; r < end; r++)
            y[r] = Row(w + (long)r * rowBytes, blocks, act);
    }

    /// <summary>Most tokens that share one unpacking of a super-block in <see cref="RunTokens"/>.</summary>
    private const int TileTokens = 4;

    /// <summary>
    /// y[t·<paramref name="yStride"/> + r] = dot(W[r], x[t]) for rows [start, end) and <paramref name="tokens"/> activation
    /// rows <paramref name="actRowBytes"/> apart (a prompt, a decode step of several sequences). One token takes
    /// <see cref="Run"/>; more go by up to <see cref="TileTokens"/>, each super-block of a row unpacked once
    /// (<see cref="IKRowFormat256.Decode"/>) for all of them — about half the instructions per token. Each (row, token)
    /// sees <see cref="Row"/>'s operations (the same integer lanes, scale products and multiply-adds): bit-identical.
    /// </summary>
    public static void RunTokens(byte* w, int rowBytes, int start, int end, int blocks, byte* act, int actRowBytes, int tokens, float* y, int yStride)
    {
        for (int t = 0; t < tokens; t += TileTokens)
        {
            int n = Math.Min(TileTokens, tokens - t);
            byte* x = act + (long)t * actRowBytes;
            float* yt = y + (long)t * yStride;
            if (n == 1)
            {
                Run(w, rowBytes, start, end, blocks, x, yt);
                continue;
            }
            for (int r = start; r < end; r++)
            {
                byte* row = w + (long)r * rowBytes;
                switch (n)
                {
                    case 2: RowTokens<T2>(row, blocks, x, actRowBytes, yt + r, yStride); break;
                    case 3: RowTokens<T3>(row, blocks, x, actRowBytes, yt + r, yStride); break;
                    default: RowTokens<T4>(row, blocks, x, actRowBytes, yt + r, yStride); break;
                }
            }
        }
    }

    private interface ITokens { static abstract int Count { get; } }
    private struct T2 : ITokens { public static int Count => 2; }
    private struct T3 : ITokens { public static int Count => 3; }
    private struct T4 : ITokens { public static int Count => 4; }

    /// <summary>One row × <typeparamref name="TTokens"/> tokens; the code for absent tokens is removed by the JIT.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowTokens<TTokens>(byte* row, int blocks, byte* act, int actRowBytes, float* y, int yStride) where TTokens : struct, ITokens
    {
        int n = TTokens.Count;
        KDecoded256 decoded;
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int b = 0; b < blocks; b++)
        {
            byte* block = row + (long)b * TFormat.BlockBytes, x = act + (long)b * ActivationBytes;
            TFormat.Decode(block, &decoded);
            Vector128<uint> word = Vector128.CreateScalar(TFormat.ScaleWord(block));
            a0 = TokenStep(&decoded, x, a0, word);
            a1 = TokenStep(&decoded, x + actRowBytes, a1, word);
            if (n > 2) a2 = TokenStep(&decoded, x + 2L * actRowBytes, a2, word);
            if (n > 3) a3 = TokenStep(&decoded, x + 3L * actRowBytes, a3, word);
        }
        y[0] = Vector256.Sum(a0);
        y[yStride] = Vector256.Sum(a1);
        if (n > 2) y[2L * yStride] = Vector256.Sum(a2);
        if (n > 3) y[3L * yStride] = Vector256.Sum(a3);
    }

    /// <summary><see cref="Step"/> for a decoded super-block and one token's activation block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> TokenStep(KDecoded256* decoded, byte* x, Vector256<float> acc, Vector128<uint> word)
    {
        Vector256<float> dm = Scales(word, *(float*)x);
        acc = Vector256.MultiplyAddEstimate(Avx.ConvertToVector256Single(TFormat.TokenSums(decoded, x)), Avx2.PermuteVar8x32(dm, Vector256<int>.Zero), acc);
        if (TFormat.HasMins)
            acc = Vector256.MultiplyAddEstimate(Avx.ConvertToVector256Single(TFormat.TokenMinSums(decoded, x)), Avx2.PermuteVar8x32(dm, Vector256<int>.One), acc);
        return acc;
    }

    /// <summary>One row's dot product (and <see cref="VecDot.Dot"/>'s 256-bit path for these types).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static float Row(byte* w, int blocks, byte* act)
    {
        Vector256<float> a = default;
        for (int b = 0; b < blocks; b++)
        {
            byte* block = w + (long)b * TFormat.BlockBytes, x = act + (long)b * ActivationBytes;
            Vector256<float> dm = Scales(Vector128.CreateScalar(TFormat.ScaleWord(block)), *(float*)x);
            a = Step(block, x, a, dm);
        }
        return Vector256.Sum(a);
    }

    /// <summary>acc + d·dy·Σ + (−dmin·dy)·mins for the super-block (lanes 0 and 1 of <paramref name="dm"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Step(byte* block, byte* x, Vector256<float> acc, Vector256<float> dm)
    {
        acc = Vector256.MultiplyAddEstimate(Avx.ConvertToVector256Single(TFormat.Sums(block, x)), Avx2.PermuteVar8x32(dm, Vector256<int>.Zero), acc);
        if (TFormat.HasMins)
            acc = Vector256.MultiplyAddEstimate(Avx.ConvertToVector256Single(TFormat.MinSums(block, x)), Avx2.PermuteVar8x32(dm, Vector256<int>.One), acc);
        return acc;
    }

    /// <summary>
    /// A row's scale word as floats times the activation block's scale: lanes 0 and 1 hold d·dy and −dmin·dy (negated
    /// here once, exactly, so the min term is one more multiply-add).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Scales(Vector128<uint> words, float dy) =>
        (HalfConvert.HalfToSingle(Avx2.ConvertToVector256Int32(words.AsUInt16()).AsUInt32()) * Vector256.Create(dy))
        ^ Vector256.Create(0u, 0x80000000u, 0u, 0x80000000u, 0u, 0x80000000u, 0u, 0x80000000u).AsSingle();
}
