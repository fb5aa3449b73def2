using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// One activation row (generation) × K-quant weights (Q4_K, Q6_K), AVX-512. Decode streams every weight byte once
/// per token, so the kernel is shaped for bandwidth: four rows advance together through the super-blocks (four
/// independent accumulator chains; the Q8_K block they share stays in L1), the band of rows two groups ahead is
/// prefetched in software (the hardware prefetchers lose four interleaved row streams at every 4 KiB page), and
/// each row ends with one horizontal sum. The fp16 block scales of the four rows are widened in one vector step:
/// there is no F16C intrinsic in .NET, and one row's conversion cost about a sixth of its super-block's work. A row's
/// value is the same sequence of operations as
/// <see cref="Row"/>, which is <see cref="VecDot.Dot"/>'s AVX-512 path for these types, so results are
/// bit-identical to it (MatMulTests relies on that).
/// </summary>
internal static unsafe class MatVecKRows<TFormat> where TFormat : struct, IKMatVecFormat
{
    private const int ActivationBytes = BlockQ8K.BlockBytes;

    /// <summary>True when this kernel can run here.</summary>
    public static bool IsSupported => VecDotInt8.Use512 && Avx2.IsSupported;

    /// <summary>y[r] = dot(W[r], x) for rows [start, end); <paramref name="act"/> is the Q8_K activation row.</summary>
    public static void Run(byte* w, int rowBytes, int start, int end, int blocks, byte* act, float* y)
    {
        int r = start;
        for (; r + 4 <= end; r += 4)
            Rows4(w + (long)r * rowBytes, rowBytes, blocks, act, y + r);
        for (; r < end; r++)
            y[r] = Row(w + (long)r * rowBytes, blocks, act);
    }

    /// <summary>One row's dot product: the same steps per row as <see cref="Rows4"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static float Row(byte* w, int blocks, byte* act)
    {
        float* dm = stackalloc float[8];
        Vector512<float> a = default;
        for (int b = 0; b < blocks; b++)
        {
            byte* block = w + (long)b * TFormat.BlockBytes, x = act + (long)b * ActivationBytes;
            Scales(Vector128.CreateScalar(TFormat.ScaleWord(block)), *(float*)x).Store(dm);
            a = TFormat.Accumulate(block, x, a, TFormat.BlockScales(block), Vector512.Create(dm[0]), Vector512.Create(dm[1]));
        }
        return Q8RowHelpers.Sum(a);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Rows4(byte* r0, int rowBytes, int blocks, byte* act, float* y)
    {
        byte* r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
        // The four rows' d·dy, dmin·dy pairs, stored once per step and broadcast from here: a broadcast load per
        // value instead of a lane extraction and a broadcast.
        float* dm = stackalloc float[8];
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        // Each step consumes one super-block of 4 rows here and requests as many bytes of the band 2 groups ahead.
        byte* ahead = r0 + 8L * rowBytes;
        int stepBytes = 4 * TFormat.BlockBytes;
        for (int b = 0; b < blocks; b++)
        {
            long o = (long)b * TFormat.BlockBytes;
            byte* next = ahead + 4 * o;
            for (int p = 0; p < stepBytes; p += 64)
                Sse.Prefetch0(next + p);
            byte* x = act + (long)b * ActivationBytes;
            Scales(Vector128.Create(
                TFormat.ScaleWord(r0 + o), TFormat.ScaleWord(r1 + o), TFormat.ScaleWord(r2 + o), TFormat.ScaleWord(r3 + o)), *(float*)x).Store(dm);
            TFormat.BlockScales4(r0 + o, rowBytes, out Vector128<byte> sc0, out Vector128<byte> sc1, out Vector128<byte> sc2, out Vector128<byte> sc3);
            a0 = TFormat.Accumulate(r0 + o, x, a0, sc0, Vector512.Create(dm[0]), Vector512.Create(dm[1]));
            a1 = TFormat.Accumulate(r1 + o, x, a1, sc1, Vector512.Create(dm[2]), Vector512.Create(dm[3]));
            a2 = TFormat.Accumulate(r2 + o, x, a2, sc2, Vector512.Create(dm[4]), Vector512.Create(dm[5]));
            a3 = TFormat.Accumulate(r3 + o, x, a3, sc3, Vector512.Create(dm[6]), Vector512.Create(dm[7]));
        }
        y[0] = Q8RowHelpers.Sum(a0);
        y[1] = Q8RowHelpers.Sum(a1);
        y[2] = Q8RowHelpers.Sum(a2);
        y[3] = Q8RowHelpers.Sum(a3);
    }

    /// <summary>
    /// Up to four rows' scale words (<see cref="IKMatVecFormat.ScaleWord"/>) as floats times the activation block's
    /// scale: lanes 2r and 2r + 1 hold row r's d·dy and dmin·dy. Lane-wise, so a row gets the same values alone or with
    /// three others.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Scales(Vector128<uint> words, float dy) =>
        HalfConvert.HalfToSingle(Avx2.ConvertToVector256Int32(words.AsUInt16()).AsUInt32()) * Vector256.Create(dy);
}
