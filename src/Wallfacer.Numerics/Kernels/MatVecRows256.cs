using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// One activation row × 32-element-block weights with one fp16 scale (Q5_0, Q8_0; Q4_0 has <see cref="MatVecQ4_0Pairs256"/>), AVX2 (fused multiply-adds where FMA is present): the machines
/// without AVX-512 (AMD Zen 2/3, Intel before Ice Lake and the E-core parts). Decode streams every weight once, so the
/// kernel keeps the per-byte work small: four rows advance together through the blocks (four independent accumulator
/// chains; the activation block is loaded and prepared once for the four), the weight scales of eight blocks are
/// gathered and widened in one vector step per row (.NET has no F16C intrinsic and the scalar conversion costs a dozen
/// instructions), multiplied by the activation scales and spread over the lanes with one <c>vpermps</c> per block;
/// the rows two groups ahead are prefetched in software. A row's value is the same sequence of operations alone
/// (<see cref="Row"/>, which is <see cref="VecDot.Dot"/>'s 256-bit path for these types) or in a group, so results
/// are bit-identical to it.
/// </summary>
internal static unsafe class MatVecRows256<TFormat, TActivation>
    where TFormat : struct, IBlockRowFormat256<TActivation>
    where TActivation : struct
{
    private const int Chunk = 8; // blocks whose scales share one vector

    /// <summary>True when this code runs here (the 256-bit dot product of these types is this kernel's one-row case).</summary>
    public static bool CanRun => Avx2.IsSupported;

    /// <summary>
    /// y[r] = dot(W[r], x) for rows [start, end). <paramref name="dx"/> holds the activation block scales as floats,
    /// followed by at least <see cref="Chunk"/> zeros.
    /// </summary>
    public static void Run(byte* w, int rowBytes, int start, int end, int blocks, byte* act, float* dx, float* y)
    {
        int r = start;
        for (; r + 4 <= end; r += 4)
            Rows4(w + (long)r * rowBytes, rowBytes, blocks, act, dx, y + r);
        for (; r < end; r++)
            y[r] = Row(w + (long)r * rowBytes, blocks, act, dx);
    }

    /// <summary>
    /// One row's dot product, the same steps per row as <see cref="Rows4"/>. Without <paramref name="dx"/> the
    /// activation scales are converted here from the activation blocks (the same exact values).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static float Row(byte* w, int blocks, byte* act, float* dx)
    {
        Vector256<float> a = default;
        for (int c = 0; c < blocks; c += Chunk)
        {
            int count = Math.Min(Chunk, blocks - c);
            byte* p = w + (long)c * TFormat.BlockBytes, x = act + (long)c * BlockQ8_0.BlockBytes;
            Vector256<float> sx = dx != null ? Vector256.Load(dx + c) : HalfConvert.HalfToSingle(Gather(x, count, BlockQ8_0.BlockBytes));
            Vector256<float> s = HalfConvert.HalfToSingle(Gather(p, count, TFormat.BlockBytes)) * sx;
            Vector256<int> pick = Vector256<int>.Zero;
            for (int b = 0; b < count; b++, p += TFormat.BlockBytes, x += BlockQ8_0.BlockBytes, pick += Vector256<int>.One)
                a = Vector256.MultiplyAddEstimate(Avx.ConvertToVector256Single(TFormat.Sums(p, TFormat.Activation(x))), Avx2.PermuteVar8x32(s, pick), a);
        }
        return Vector256.Sum(a);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Rows4(byte* r0, int rowBytes, int blocks, byte* act, float* dx, float* y)
    {
        nint row1 = rowBytes, row2 = 2 * row1, row3 = 3 * row1;
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        float* sc = stackalloc float[4 * Chunk];
        // The band of rows two groups ahead: each chunk consumes 8 blocks of 4 rows here and requests as many bytes
        // there (the hardware prefetchers lose four interleaved row streams at page boundaries).
        byte* ahead = r0 + 8L * rowBytes;
        int chunkBytes = 4 * Chunk * TFormat.BlockBytes;
        for (int c = 0; c < blocks; c += Chunk)
        {
            int count = Math.Min(Chunk, blocks - c);
            byte* p = r0 + (long)c * TFormat.BlockBytes, x = act + (long)c * BlockQ8_0.BlockBytes;
            byte* next = ahead + 4L * c * TFormat.BlockBytes;
            for (int o = 0; o < chunkBytes; o += 64)
                Sse.Prefetch0(next + o);
            Vector256<float> sx = Vector256.Load(dx + c);
            (HalfConvert.HalfToSingle(Gather(p, count, TFormat.BlockBytes)) * sx).Store(sc);
            (HalfConvert.HalfToSingle(Gather(p + row1, count, TFormat.BlockBytes)) * sx).Store(sc + 8);
            (HalfConvert.HalfToSingle(Gather(p + row2, count, TFormat.BlockBytes)) * sx).Store(sc + 16);
            (HalfConvert.HalfToSingle(Gather(p + row3, count, TFormat.BlockBytes)) * sx).Store(sc + 24);
            for (int b = 0; b < count; b++, p += TFormat.BlockBytes, x += BlockQ8_0.BlockBytes)
            {
                TActivation xa = TFormat.Activation(x);
                a0 = Vector256.MultiplyAddEstimate(Avx.ConvertToVector256Single(TFormat.Sums(p, xa)), Vector256.Create(sc[b]), a0);
                a1 = Vector256.MultiplyAddEstimate(Avx.ConvertToVector256Single(TFormat.Sums(p + row1, xa)), Vector256.Create(sc[b + 8]), a1);
                a2 = Vector256.MultiplyAddEstimate(Avx.ConvertToVector256Single(TFormat.Sums(p + row2, xa)), Vector256.Create(sc[b + 16]), a2);
                a3 = Vector256.MultiplyAddEstimate(Avx.ConvertToVector256Single(TFormat.Sums(p + row3, xa)), Vector256.Create(sc[b + 24]), a3);
            }
        }
        y[0] = Vector256.Sum(a0);
        y[1] = Vector256.Sum(a1);
        y[2] = Vector256.Sum(a2);
        y[3] = Vector256.Sum(a3);
    }

    /// <summary>
    /// The fp16 scales of <paramref name="count"/> (≤ 8) consecutive blocks <paramref name="blockBytes"/> apart, one per
    /// 32-bit lane in the low 16 bits (the conversion ignores the high bits, which are quants); lanes past
    /// <paramref name="count"/> are 0 and are not read. Each dword is read at a block start, so inside the row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Gather(byte* first, int count, int blockBytes)
    {
        if (count == Chunk)
        {
            Vector128<ushort> h = Vector128.Create(*(ushort*)first, *(ushort*)(first + blockBytes), *(ushort*)(first + 2 * blockBytes),
                *(ushort*)(first + 3 * blockBytes), *(ushort*)(first + 4 * blockBytes), *(ushort*)(first + 5 * blockBytes),
                *(ushort*)(first + 6 * blockBytes), *(ushort*)(first + 7 * blockBytes));
            return Avx2.ConvertToVector256Int32(h).AsUInt32();
        }
        Vector256<int> lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        return Avx2.GatherMaskVector256(Vector256<uint>.Zero, (uint*)first, lane * blockBytes,
            Vector256.LessThan(lane, Vector256.Create(count)).AsUInt32(), 1);
    }
}
