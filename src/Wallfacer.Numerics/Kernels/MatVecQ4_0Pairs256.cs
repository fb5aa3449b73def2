using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// One activation row × Q4_0 weights with AVX2, two rows per 256-bit vector: the 16 packed bytes of row r go in the low
/// half and those of row r + 1 in the high half, so one shift and two masks unpack both rows' nibbles, and the low
/// nibbles (elements 0–15) and high nibbles (16–31) meet the activations in two <c>vpmaddubsw</c> whose int16 results
/// are added before one <c>vpmaddwd</c> (each int16 at most 4·15·128: nothing saturates). That is about six
/// instructions per row and block against nine for a row per vector (<see cref="MatVecRows256{TFormat, TActivation}"/>),
/// which on AVX2 machines is what limits Q4_0 generation. Lane i of a half holds row r's sum over elements 4i … 4i + 3
/// and 16 + 4i … 16 + 4i + 3; the −8·Σy part of the same elements is prepared once per activation block.
/// <para>
/// Four rows (two pairs) advance together; the weight scales of eight blocks are widened in one vector step per row.
/// A lone row (<see cref="Row"/>, which is <see cref="VecDot.Dot"/>'s 256-bit Q4_0 path) fills both halves with itself
/// and reads the low half, so its lanes see exactly the operations of a paired row: results are bit-identical.
/// </para>
/// </summary>
internal static unsafe class MatVecQ4_0Pairs256
{
    private const int Chunk = 8; // blocks whose scales are widened together
    private const int BlockBytes = BlockQ4_0.BlockBytes;
    private const int ActivationBytes = BlockQ8_0.BlockBytes;

    /// <summary>True when this code runs here.</summary>
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

    /// <summary>One row's dot product; without <paramref name="dx"/> the activation scales are widened here (the same values).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static float Row(byte* w, int blocks, byte* act, float* dx)
    {
        float* sc = stackalloc float[Chunk];
        Vector256<float> a = default;
        for (int c = 0; c < blocks; c += Chunk)
        {
            int count = Math.Min(Chunk, blocks - c);
            byte* p = w + (long)c * BlockBytes, x = act + (long)c * ActivationBytes;
            Vector256<float> sx = dx != null ? Vector256.Load(dx + c) : HalfConvert.HalfToSingle(ScaleHalves256.Load(x, count, ActivationBytes));
            (HalfConvert.HalfToSingle(ScaleHalves256.Load(p, count, BlockBytes)) * sx).Store(sc);
            for (int b = 0; b < count; b++, p += BlockBytes, x += ActivationBytes)
            {
                var (yLow, yHigh, offsets) = Activation(x);
                Vector256<byte> packed = Avx2.BroadcastVector128ToVector256(p + 2);
                a = Vector256.MultiplyAddEstimate(Sums(packed, yLow, yHigh, offsets), Vector256.Create(sc[b]), a);
            }
        }
        return HalfSum(a.GetLower());
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Rows4(byte* r0, int rowBytes, int blocks, byte* act, float* dx, float* y)
    {
        nint row1 = rowBytes, row2 = 2 * row1, row3 = 3 * row1;
        // Per chunk, each pair's two scale products side by side per block: (s_r, s_r+1) as one 64-bit value.
        float* pairs = stackalloc float[4 * Chunk];
        Vector256<int> spread = Vector256.Create(0, 0, 0, 0, 1, 1, 1, 1);
        Vector256<float> a01 = default, a23 = default;
        // The band of rows two groups ahead, requested as this group advances (the hardware prefetchers lose four
        // interleaved row streams at page boundaries).
        byte* ahead = r0 + 8L * rowBytes;
        int chunkBytes = 4 * Chunk * BlockBytes;
        for (int c = 0; c < blocks; c += Chunk)
        {
            int count = Math.Min(Chunk, blocks - c);
            byte* p = r0 + (long)c * BlockBytes, x = act + (long)c * ActivationBytes;
            byte* next = ahead + 4L * c * BlockBytes;
            for (int o = 0; o < chunkBytes; o += 64)
                Sse.Prefetch0(next + o);
            Vector256<float> sx = Vector256.Load(dx + c);
            StorePairs(HalfConvert.HalfToSingle(ScaleHalves256.Load(p, count, BlockBytes)) * sx,
                HalfConvert.HalfToSingle(ScaleHalves256.Load(p + row1, count, BlockBytes)) * sx, pairs);
            StorePairs(HalfConvert.HalfToSingle(ScaleHalves256.Load(p + row2, count, BlockBytes)) * sx,
                HalfConvert.HalfToSingle(ScaleHalves256.Load(p + row3, count, BlockBytes)) * sx, pairs + 2 * Chunk);
            for (int b = 0; b < count; b++, p += BlockBytes, x += ActivationBytes)
            {
                var (yLow, yHigh, offsets) = Activation(x);
                Vector256<byte> p01 = Avx2.InsertVector128(Vector128.Load(p + 2).ToVector256Unsafe(), Vector128.Load(p + row1 + 2), 1);
                Vector256<byte> p23 = Avx2.InsertVector128(Vector128.Load(p + row2 + 2).ToVector256Unsafe(), Vector128.Load(p + row3 + 2), 1);
                Vector256<float> s01 = Avx2.PermuteVar8x32(Vector256.Create(((double*)pairs)[b]).AsSingle(), spread);
                Vector256<float> s23 = Avx2.PermuteVar8x32(Vector256.Create(((double*)pairs)[Chunk + b]).AsSingle(), spread);
                a01 = Vector256.MultiplyAddEstimate(Sums(p01, yLow, yHigh, offsets), s01, a01);
                a23 = Vector256.MultiplyAddEstimate(Sums(p23, yLow, yHigh, offsets), s23, a23);
            }
        }
        y[0] = HalfSum(a01.GetLower());
        y[1] = HalfSum(a01.GetUpper());
        y[2] = HalfSum(a23.GetLower());
        y[3] = HalfSum(a23.GetUpper());
    }

    /// <summary>
    /// The activation side of one Q8_0 block: elements 0–15 and 16–31 each in both halves, and −8·Σy over each lane's
    /// eight elements (exact).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<sbyte> Low, Vector256<sbyte> High, Vector256<int> Offsets) Activation(byte* block)
    {
        Vector256<sbyte> low = Avx2.BroadcastVector128ToVector256((sbyte*)(block + 2));
        Vector256<sbyte> high = Avx2.BroadcastVector128ToVector256((sbyte*)(block + 18));
        Vector256<short> eights = Avx2.MultiplyAddAdjacent(Vector256.Create((byte)8), low) + Avx2.MultiplyAddAdjacent(Vector256.Create((byte)8), high);
        return (low, high, -Avx2.MultiplyAddAdjacent(eights, Vector256<short>.One));
    }

    /// <summary>Both halves' lane sums Σ(q − 8)·y as floats for the packed nibble bytes of two rows (or one row twice).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Sums(Vector256<byte> packed, Vector256<sbyte> yLow, Vector256<sbyte> yHigh, Vector256<int> offsets)
    {
        Vector256<byte> mask = Vector256.Create((byte)0x0F);
        Vector256<byte> low = packed & mask;
        Vector256<byte> high = Avx2.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & mask;
        Vector256<short> products = Avx2.MultiplyAddAdjacent(low, yLow) + Avx2.MultiplyAddAdjacent(high, yHigh);
        return Avx.ConvertToVector256Single(Avx2.MultiplyAddAdjacent(products, Vector256<short>.One) + offsets);
    }

    /// <summary>Two rows' eight scale products interleaved, (s0[b], s1[b]) for b = 0 … 7, stored at <paramref name="pairs"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePairs(Vector256<float> s0, Vector256<float> s1, float* pairs)
    {
        Vector256<float> low = Avx.UnpackLow(s0, s1), high = Avx.UnpackHigh(s0, s1); // blocks 0, 1, 4, 5 and 2, 3, 6, 7
        Avx.Permute2x128(low, high, 0x20).Store(pairs);
        Avx.Permute2x128(low, high, 0x31).Store(pairs + Chunk);
    }

    /// <summary>(l0 + l1) + (l2 + l3): the same association for every row's half.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HalfSum(Vector128<float> v)
    {
        v += Sse.Shuffle(v, v, 0b10_11_00_01);
        v += Sse.Shuffle(v, v, 0b01_00_11_10);
        return v.ToScalar();
    }
}
