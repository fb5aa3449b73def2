using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// How <see cref="MatVecKRows256{TFormat}"/> forms one K-quant super-block's (256 elements) integer sums against a
/// Q8_K activation block with AVX2: the block's value is d·dy·Σ lanes(<see cref="Sums"/>) − dmin·dy·Σ
/// lanes(<see cref="MinSums"/>), every lane an exact int32. The group scales multiply the 16-bit pair sums of
/// <c>vpmaddubsw</c> inside <c>vpmaddwd</c>, as in ggml's AVX2 kernels, so no separate multiply is needed.
/// </summary>
internal unsafe interface IKRowFormat256
{
    /// <summary>The weight type.</summary>
    static abstract GgmlType Type { get; }

    /// <summary>Bytes per super-block.</summary>
    static abstract int BlockBytes { get; }

    /// <summary>Whether the format has a min term (<see cref="MinSums"/>).</summary>
    static abstract bool HasMins { get; }

    /// <summary>The super-block's fp16 d in the low 16 bits and (with mins) its fp16 dmin in the high 16 bits.</summary>
    static abstract uint ScaleWord(byte* block);

    /// <summary>The scaled integer sums Σ_g sc_g·Σ q·y (with any fixed level offset already taken off).</summary>
    static abstract Vector256<int> Sums(byte* block, byte* act);

    /// <summary>Σ_g m_g·Σ y over group g, from the activation's 16-element sums (zero without mins).</summary>
    static abstract Vector256<int> MinSums(byte* block, byte* act);

    /// <summary>
    /// Unpacks the super-block once for several tokens (<see cref="MatVecKRows256{TFormat}.RunTokens"/>): its eight
    /// 32-element runs of levels, each run's int16 scale vector, and the vector <see cref="CompleteSums"/> and
    /// <see cref="TokenMinSums"/> pair with the activation's 16-element sums.
    /// </summary>
    static abstract void Decode(byte* block, KDecoded256* into);

    /// <summary>
    /// <see cref="Sums"/> from a decoded super-block: <paramref name="scaled"/> (<see cref="KDecoded256.ScaledSums"/> of
    /// the activation row) completed with any fixed level offset; the same int32 lanes.
    /// </summary>
    static abstract Vector256<int> CompleteSums(KDecoded256* decoded, byte* act, Vector256<int> scaled);

    /// <summary><see cref="MinSums"/> from a decoded super-block: the same int32 lanes.</summary>
    static abstract Vector256<int> TokenMinSums(KDecoded256* decoded, byte* act);
}

/// <summary>A K-quant super-block unpacked for several tokens; lives on the stack of the multi-token kernel.</summary>
internal unsafe struct KDecoded256
{
    /// <summary>Runs of 32 levels (unsigned bytes), in activation order: run g meets activation bytes 32g … 32g + 31.</summary>
    public fixed byte Levels[8 * 32];

    /// <summary>Per run, the int16 scale of each of its 16 pair sums (one vector of 16 int16 per run).</summary>
    public fixed short Scales[8 * 16];

    /// <summary>The int16 vector that multiplies the activation's sixteen 16-element sums (Q4_K: mins, Q6_K: scales).</summary>
    public fixed short Extra[16];

    /// <summary>Σ_g madd(maddubs(levels_g, y_g), scales_g): the scaled sums of every run against one activation row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> ScaledSums(KDecoded256* d, byte* y)
    {
        // Unrolled by hand (constant offsets): the JIT does not unroll, and the loop's index arithmetic cost as much as
        // the three vector instructions per run.
        byte* levels = d->Levels;
        short* scales = d->Scales;
        Vector256<int> sum = Run(levels, scales, y);
        sum += Run(levels + 32, scales + 16, y + 32);
        sum += Run(levels + 64, scales + 32, y + 64);
        sum += Run(levels + 96, scales + 48, y + 96);
        sum += Run(levels + 128, scales + 64, y + 128);
        sum += Run(levels + 160, scales + 80, y + 160);
        sum += Run(levels + 192, scales + 96, y + 192);
        sum += Run(levels + 224, scales + 112, y + 224);
        return sum;
    }

    /// <summary>
    /// <see cref="ScaledSums"/> for two activation rows at once: each run's levels and scales are loaded once for both
    /// (per run and token one <c>vpmaddubsw</c>, one <c>vpmaddwd</c>, one add). The same int32 lanes as two calls.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScaledSums(KDecoded256* d, byte* y0, byte* y1, out Vector256<int> sum0, out Vector256<int> sum1)
    {
        byte* levels = d->Levels;
        short* scales = d->Scales;
        sum0 = default;
        sum1 = default;
        RunPair(levels, scales, y0, y1, ref sum0, ref sum1);
        RunPair(levels + 32, scales + 16, y0 + 32, y1 + 32, ref sum0, ref sum1);
        RunPair(levels + 64, scales + 32, y0 + 64, y1 + 64, ref sum0, ref sum1);
        RunPair(levels + 96, scales + 48, y0 + 96, y1 + 96, ref sum0, ref sum1);
        RunPair(levels + 128, scales + 64, y0 + 128, y1 + 128, ref sum0, ref sum1);
        RunPair(levels + 160, scales + 80, y0 + 160, y1 + 160, ref sum0, ref sum1);
        RunPair(levels + 192, scales + 96, y0 + 192, y1 + 192, ref sum0, ref sum1);
        RunPair(levels + 224, scales + 112, y0 + 224, y1 + 224, ref sum0, ref sum1);
    }

    /// <summary>
    /// <see cref="ScaledSums(KDecoded256*, byte*)"/> for four activation rows <paramref name="stride"/> bytes apart:
    /// each run's levels and scales are loaded once for all four (the loads, not the multiplies, limited the pairs).
    /// The same int32 lanes as four calls.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScaledSums(KDecoded256* d, byte* y, nint stride, out Vector256<int> sum0, out Vector256<int> sum1,
        out Vector256<int> sum2, out Vector256<int> sum3)
    {
        byte* levels = d->Levels;
        short* scales = d->Scales;
        sum0 = default;
        sum1 = default;
        sum2 = default;
        sum3 = default;
        RunQuad(levels, scales, y, stride, ref sum0, ref sum1, ref sum2, ref sum3);
        RunQuad(levels + 32, scales + 16, y + 32, stride, ref sum0, ref sum1, ref sum2, ref sum3);
        RunQuad(levels + 64, scales + 32, y + 64, stride, ref sum0, ref sum1, ref sum2, ref sum3);
        RunQuad(levels + 96, scales + 48, y + 96, stride, ref sum0, ref sum1, ref sum2, ref sum3);
        RunQuad(levels + 128, scales + 64, y + 128, stride, ref sum0, ref sum1, ref sum2, ref sum3);
        RunQuad(levels + 160, scales + 80, y + 160, stride, ref sum0, ref sum1, ref sum2, ref sum3);
        RunQuad(levels + 192, scales + 96, y + 192, stride, ref sum0, ref sum1, ref sum2, ref sum3);
        RunQuad(levels + 224, scales + 112, y + 224, stride, ref sum0, ref sum1, ref sum2, ref sum3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RunQuad(byte* levels, short* scales, byte* y, nint stride,
        ref Vector256<int> sum0, ref Vector256<int> sum1, ref Vector256<int> sum2, ref Vector256<int> sum3)
    {
        Vector256<byte> q = Vector256.Load(levels);
        Vector256<short> s = Vector256.Load(scales);
        sum0 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(q, Vector256.Load((sbyte*)y)), s);
        sum1 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(q, Vector256.Load((sbyte*)(y + stride))), s);
        sum2 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(q, Vector256.Load((sbyte*)(y + 2 * stride))), s);
        sum3 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(q, Vector256.Load((sbyte*)(y + 3 * stride))), s);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Run(byte* levels, short* scales, byte* y) =>
        Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Vector256.Load(levels), Vector256.Load((sbyte*)y)), Vector256.Load(scales));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RunPair(byte* levels, short* scales, byte* y0, byte* y1, ref Vector256<int> sum0, ref Vector256<int> sum1)
    {
        Vector256<byte> q = Vector256.Load(levels);
        Vector256<short> s = Vector256.Load(scales);
        sum0 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(q, Vector256.Load((sbyte*)y0)), s);
        sum1 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(q, Vector256.Load((sbyte*)y1)), s);
    }

    /// <summary>madd(the activation's 16-element sums, <see cref="Extra"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> ExtraSums(KDecoded256* d, byte* act) =>
        Avx2.MultiplyAddAdjacent(Vector256.Load((short*)(act + BlockQ8K.BsumsOffset)), Vector256.Load(d->Extra));
}

/// <summary>
/// Q4_K: eight groups of 32 with 6-bit scales and mins packed in 12 bytes. One 32-byte load holds two groups (low
/// nibbles group 2c, high nibbles 2c + 1).
/// </summary>
internal readonly unsafe struct Q4KRows256 : IKRowFormat256
{
    public static GgmlType Type => GgmlType.Q4_K;
    public static int BlockBytes => BlockQ4K.BlockBytes;
    public static bool HasMins => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint ScaleWord(byte* block) => *(uint*)block;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Sums(byte* block, byte* act)
    {
        // The eight 6-bit scales as int16 in both 128-bit halves, so an in-lane byte shuffle can broadcast any of them.
        Vector256<byte> scales = Avx2.BroadcastScalarToVector256(Vector128.CreateScalar(ScaleBytes(block + BlockQ4K.ScalesOffset)))
            .AsByte();
        Vector256<short> scales16 = Avx2.UnpackLow(scales, Vector256<byte>.Zero).AsInt16();
        byte* q = block + BlockQ4K.QsOffset, y = act + BlockQ8K.QsOffset;
        // Unrolled by hand: the group numbers must be constants for the shuffle selectors to be constants.
        Vector256<int> sum = GroupPair(q, y, scales16, 0);
        sum += GroupPair(q + 32, y + 64, scales16, 1);
        sum += GroupPair(q + 64, y + 128, scales16, 2);
        sum += GroupPair(q + 96, y + 192, scales16, 3);
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> MinSums(byte* block, byte* act)
    {
        // Each min twice (int16), against the two 16-element sums of its group.
        Vector128<byte> mins = Vector128.CreateScalar(MinBytes(block + BlockQ4K.ScalesOffset)).AsByte();
        Vector256<short> mins16 = Avx2.ConvertToVector256Int16(Sse2.UnpackLow(mins, mins));
        return Avx2.MultiplyAddAdjacent(Vector256.Load((short*)(act + BlockQ8K.BsumsOffset)), mins16);
    }

    public static void Decode(byte* block, KDecoded256* into)
    {
        Vector256<byte> scales = Avx2.BroadcastScalarToVector256(Vector128.CreateScalar(ScaleBytes(block + BlockQ4K.ScalesOffset)))
            .AsByte();
        Vector256<short> scales16 = Avx2.UnpackLow(scales, Vector256<byte>.Zero).AsInt16();
        byte* q = block + BlockQ4K.QsOffset;
        Vector256<byte> mask = Vector256.Create((byte)0x0F);
        for (int c = 0; c < 4; c++, q += 32)
        {
            Vector256<byte> packed = Vector256.Load(q);
            (packed & mask).Store(into->Levels + 64 * c);
            (Avx2.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & mask).Store(into->Levels + 64 * c + 32);
        }
        // Unrolled: the group numbers must be constants for the shuffle selectors to be constants.
        Broadcast16(scales16, 0).Store(into->Scales);
        Broadcast16(scales16, 1).Store(into->Scales + 16);
        Broadcast16(scales16, 2).Store(into->Scales + 32);
        Broadcast16(scales16, 3).Store(into->Scales + 48);
        Broadcast16(scales16, 4).Store(into->Scales + 64);
        Broadcast16(scales16, 5).Store(into->Scales + 80);
        Broadcast16(scales16, 6).Store(into->Scales + 96);
        Broadcast16(scales16, 7).Store(into->Scales + 112);
        Vector128<byte> mins = Vector128.CreateScalar(MinBytes(block + BlockQ4K.ScalesOffset)).AsByte();
        Avx2.ConvertToVector256Int16(Sse2.UnpackLow(mins, mins)).Store(into->Extra);
    }

    public static Vector256<int> CompleteSums(KDecoded256* decoded, byte* act, Vector256<int> scaled) => scaled;

    public static Vector256<int> TokenMinSums(KDecoded256* decoded, byte* act) => KDecoded256.ExtraSums(decoded, act);

    /// <summary>
    /// The eight 6-bit group scales, one per byte (ggml's get_scale_min_k4 for j = 0 … 7): bytes 0–3 are the low six
    /// bits of packed bytes 0–3; bytes 4–7 the low nibbles of packed bytes 8–11 with the top two bits of packed 0–3.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong ScaleBytes(byte* packed)
    {
        uint u0 = *(uint*)packed, u2 = *(uint*)(packed + 8);
        uint low = u0 & 0x3F3F3F3Fu;
        uint high = (u2 & 0x0F0F0F0Fu) | ((u0 >> 2) & 0x30303030u); // the top two bits of each byte moved to bits 4–5
        return low | ((ulong)high << 32);
    }

    /// <summary>The eight 6-bit group mins, one per byte: packed bytes 4–7's low six bits; the high nibbles of 8–11 with the top bits of 4–7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong MinBytes(byte* packed)
    {
        uint u1 = *(uint*)(packed + 4), u2 = *(uint*)(packed + 8);
        uint low = u1 & 0x3F3F3F3Fu;
        uint high = ((u2 >> 4) & 0x0F0F0F0Fu) | ((u1 >> 2) & 0x30303030u);
        return low | ((ulong)high << 32);
    }

    /// <summary>Groups 2c (low nibbles of the 32 bytes at <paramref name="q"/>) and 2c + 1 (high nibbles), each times its scale.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> GroupPair(byte* q, byte* y, Vector256<short> scales16, int c)
    {
        Vector256<byte> mask = Vector256.Create((byte)0x0F);
        Vector256<byte> packed = Vector256.Load(q);
        Vector256<byte> low = packed & mask;
        Vector256<byte> high = Avx2.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & mask;
        Vector256<short> p0 = Avx2.MultiplyAddAdjacent(low, Vector256.Load((sbyte*)y));
        Vector256<short> p1 = Avx2.MultiplyAddAdjacent(high, Vector256.Load((sbyte*)(y + 32)));
        return Avx2.MultiplyAddAdjacent(p0, Broadcast16(scales16, 2 * c)) + Avx2.MultiplyAddAdjacent(p1, Broadcast16(scales16, 2 * c + 1));
    }

    /// <summary>Int16 lane <paramref name="g"/> (a constant; of the first eight, present in both halves) in every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Broadcast16(Vector256<short> v, int g) =>
        Avx2.Shuffle(v.AsByte(), Vector256.Create((ushort)(((2 * g + 1) << 8) | (2 * g))).AsByte()).AsInt16();
}

/// <summary>
/// Q6_K: 6-bit levels (four bits in ql, two in qh) with a signed int8 scale per 16 elements. The levels go unsigned
/// (0 … 63) into <c>vpmaddubsw</c> (pairs ≤ 2·63·128, no saturation) and the −32 offset is taken off once per
/// super-block as 32·Σ_k sc_k·(Σ y over the k-th 16 elements), from the activation's sums.
/// </summary>
internal readonly unsafe struct Q6KRows256 : IKRowFormat256
{
    public static GgmlType Type => GgmlType.Q6_K;
    public static int BlockBytes => BlockQ6K.BlockBytes;
    public static bool HasMins => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint ScaleWord(byte* block) => *(ushort*)(block + BlockQ6K.DOffset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Sums(byte* block, byte* act)
    {
        // The sixteen scales as int16 once; each half's eight in both 128-bit lanes, so that one in-lane byte shuffle
        // per run of 32 picks its two scales (a shuffle and a widening per run before).
        Vector256<short> scales = Avx2.ConvertToVector256Int16(Vector128.Load((sbyte*)(block + BlockQ6K.ScalesOffset)));
        // Unrolled by hand: the scale numbers must be constants for the shuffle selectors to be constants.
        Vector256<int> sum = Half(block, act, HalfScales(scales, 0), 0) + Half(block, act, HalfScales(scales, 1), 1);
        // Σ sc_k·(q − 32)·y = Σ sc_k·q·y − 32·Σ_k sc_k·Σ_k y.
        Vector256<int> offsets = Avx2.MultiplyAddAdjacent(Vector256.Load((short*)(act + BlockQ8K.BsumsOffset)), scales);
        return sum - Avx2.ShiftLeftLogical(offsets, 5);
    }

    public static Vector256<int> MinSums(byte* block, byte* act) => default;

    public static void Decode(byte* block, KDecoded256* into)
    {
        Vector128<sbyte> scales = Vector128.Load((sbyte*)(block + BlockQ6K.ScalesOffset));
        DecodeHalf(block, 0, into->Levels);
        DecodeHalf(block, 1, into->Levels + 128);
        // Unrolled: the scale numbers must be constants for the shuffle selectors to be constants.
        ScalePair(scales, 0).Store(into->Scales);
        ScalePair(scales, 2).Store(into->Scales + 16);
        ScalePair(scales, 4).Store(into->Scales + 32);
        ScalePair(scales, 6).Store(into->Scales + 48);
        ScalePair(scales, 8).Store(into->Scales + 64);
        ScalePair(scales, 10).Store(into->Scales + 80);
        ScalePair(scales, 12).Store(into->Scales + 96);
        ScalePair(scales, 14).Store(into->Scales + 112);
        Avx2.ConvertToVector256Int16(scales).Store(into->Extra);
    }

    /// <summary>The four runs of 32 levels of one half (elements l, 32 + l, 64 + l, 96 + l), as in <see cref="Half"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DecodeHalf(byte* block, int half, byte* levels)
    {
        Vector256<byte> mask = Vector256.Create((byte)0x0F), high = Vector256.Create((byte)0x30);
        byte* ql = block + 64 * half;
        Vector256<byte> qh = Vector256.Load(block + BlockQ6K.QhOffset + 32 * half);
        Vector256<byte> ql0 = Vector256.Load(ql), ql1 = Vector256.Load(ql + 32);
        ((ql0 & mask) | (Avx2.ShiftLeftLogical(qh.AsUInt16(), 4).AsByte() & high)).Store(levels);
        ((ql1 & mask) | (Avx2.ShiftLeftLogical(qh.AsUInt16(), 2).AsByte() & high)).Store(levels + 32);
        ((Avx2.ShiftRightLogical(ql0.AsUInt16(), 4).AsByte() & mask) | (qh & high)).Store(levels + 64);
        ((Avx2.ShiftRightLogical(ql1.AsUInt16(), 4).AsByte() & mask) | (Avx2.ShiftRightLogical(qh.AsUInt16(), 2).AsByte() & high)).Store(levels + 96);
    }

    public static Vector256<int> CompleteSums(KDecoded256* decoded, byte* act, Vector256<int> scaled) =>
        scaled - Avx2.ShiftLeftLogical(KDecoded256.ExtraSums(decoded, act), 5);

    public static Vector256<int> TokenMinSums(KDecoded256* decoded, byte* act) => default;

    /// <summary>Elements 128·half … 128·half + 127: four runs of 32, each with its two scales.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Half(byte* block, byte* act, Vector256<short> scales, int half)
    {
        Vector256<byte> mask = Vector256.Create((byte)0x0F), high = Vector256.Create((byte)0x30);
        byte* ql = block + 64 * half, y = act + BlockQ8K.QsOffset + 128 * half;
        Vector256<byte> qh = Vector256.Load(block + BlockQ6K.QhOffset + 32 * half);
        Vector256<byte> ql0 = Vector256.Load(ql), ql1 = Vector256.Load(ql + 32);
        // Elements l, 32 + l, 64 + l, 96 + l of the half: ql nibbles with qh bit pairs 0–1, 2–3, 4–5, 6–7 as bits 4–5.
        Vector256<byte> q0 = (ql0 & mask) | (Avx2.ShiftLeftLogical(qh.AsUInt16(), 4).AsByte() & high);
        Vector256<byte> q1 = (ql1 & mask) | (Avx2.ShiftLeftLogical(qh.AsUInt16(), 2).AsByte() & high);
        Vector256<byte> q2 = (Avx2.ShiftRightLogical(ql0.AsUInt16(), 4).AsByte() & mask) | (qh & high);
        Vector256<byte> q3 = (Avx2.ShiftRightLogical(ql1.AsUInt16(), 4).AsByte() & mask) | (Avx2.ShiftRightLogical(qh.AsUInt16(), 2).AsByte() & high);
        Vector256<int> sum = Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(q0, Vector256.Load((sbyte*)y)), RunScales(scales, 0));
        sum += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(q1, Vector256.Load((sbyte*)(y + 32))), RunScales(scales, 2));
        sum += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(q2, Vector256.Load((sbyte*)(y + 64))), RunScales(scales, 4));
        sum += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(q3, Vector256.Load((sbyte*)(y + 96))), RunScales(scales, 6));
        return sum;
    }

    /// <summary>Scale <paramref name="k"/> (a constant) as int16 in the low eight lanes (elements 0–15 of a 32) and scale k + 1 in the high eight.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> ScalePair(Vector128<sbyte> scales, int k) =>
        Avx2.ConvertToVector256Int16(Ssse3.Shuffle(scales,
            Vector128.Create(0x0101010101010101ul * (ulong)k, 0x0101010101010101ul * (ulong)(k + 1)).AsSByte()));

    /// <summary>Scales 8·half … 8·half + 7 (of the sixteen as int16) in both 128-bit lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> HalfScales(Vector256<short> scales, int half) =>
        (half == 0 ? Avx2.Permute4x64(scales.AsInt64(), 0x44) : Avx2.Permute4x64(scales.AsInt64(), 0xEE)).AsInt16();

    /// <summary>
    /// From <see cref="HalfScales"/>, the half's scale <paramref name="j"/> (a constant) in the low eight lanes and
    /// scale j + 1 in the high eight: <see cref="ScalePair"/>'s vector in one shuffle.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> RunScales(Vector256<short> halfScales, int j)
    {
        ushort low = (ushort)((2 * j) | ((2 * j + 1) << 8)), high = (ushort)((2 * j + 2) | ((2 * j + 3) << 8));
        return Avx2.Shuffle(halfScales.AsByte(), Vector256.Create(low, low, low, low, low, low, low, low,
            high, high, high, high, high, high, high, high).AsByte()).AsInt16();
    }
}
