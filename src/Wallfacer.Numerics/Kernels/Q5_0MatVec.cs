using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// Q5_0 for <see cref="MatVecQ8Rows{TFormat, TActivation}"/> (the Q4_K_M mix stores every tensor whose row is not a
/// multiple of 256 as Q5_0, e.g. all attention and gate/up tensors of Qwen2.5-0.5B). Σ(q − 16)·y = Σq·y − 16·Σy with
/// the unsigned 5-bit q on the left of <c>vpmaddubsw</c>; the 16·Σy part depends on the activations only and is
/// shared by the rows (<see cref="Q4_0MatVecActivation.Offset"/>). Exact: |q·y pair| ≤ 7874 and |16·y pair| ≤ 4064
/// fit in int16. Lanes as <see cref="VecDotQ5_0"/>'s AVX-512 path, which calls <see cref="PairSumsNearEnd"/> and <see cref="LastSums"/>, so the
/// two are bit-identical.
/// Block (22 bytes): d (fp16), qh (uint32, bit j = fifth bit of element j), qs[16] (element j low nibble, j + 16 high).
/// </summary>
internal readonly unsafe struct Q5_0MatVec : IMatVecFormat<Q5_0MatVec, Q4_0MatVecActivation>
{
    private readonly Vector512<byte> _select;      // bytes 6..21 (block b's quants) and 28..43 (b + 1's), each twice
    private readonly Vector512<byte> _nibbleMatrices; // GFNI: low nibbles of the first copy, high of the second
    private readonly Vector512<ushort> _shifts;    // without GFNI: 0 for the low-nibble copy, 4 for the high-nibble copy
    private readonly Vector512<byte> _highWords;   // the two qh words into every quadword
    private readonly Vector512<byte> _bitStarts;   // vpmultishiftqb: byte i takes the 8 bits from bit i − 4
    private readonly Vector512<byte> _lowNibble;
    private readonly Vector512<byte> _fifthBit;
    private readonly Vector512<byte> _byteOnes;
    private readonly Vector512<short> _shortOnes;

    private Q5_0MatVec(Vector512<byte> select, Vector512<ushort> shifts, Vector512<byte> highWords, Vector512<byte> bitStarts)
    {
        _select = select;
        _shifts = shifts;
        _nibbleMatrices = Q4_0MatVec.PairNibbleMatrices;
        _highWords = highWords;
        _bitStarts = bitStarts;
        _lowNibble = Vector512.Create((byte)0x0F);
        _fifthBit = Vector512.Create((byte)0x10);
        _byteOnes = Vector512<byte>.One;
        _shortOnes = Vector512<short>.One;
    }

    /// <inheritdoc cref="IMatVecFormat{TSelf, TActivation}.Create"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Q5_0MatVec Create() => new(
        Vector512.Create(
            (byte)6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
            28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43),
        Vector512.Create((ushort)0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 4),
        Vector512.Create(
            (byte)2, 3, 4, 5, 24, 25, 26, 27, 2, 3, 4, 5, 24, 25, 26, 27, 2, 3, 4, 5, 24, 25, 26, 27, 2, 3, 4, 5, 24, 25, 26, 27,
            2, 3, 4, 5, 24, 25, 26, 27, 2, 3, 4, 5, 24, 25, 26, 27, 2, 3, 4, 5, 24, 25, 26, 27, 2, 3, 4, 5, 24, 25, 26, 27),
        Vector512.Create(
            (byte)60, 61, 62, 63, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
            28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59));

    public static GgmlType Type => GgmlType.Q5_0;

    public static int BlockBytes => 22;

    // The 64-byte quant load starts at the pair's first scale and the pair spans 44 bytes.
    public static int Overread => 64 - 44;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> ScaleHalves(byte* first)
    {
        // Three 128-byte windows inside the 16 blocks (352 bytes): blocks 0–5 at 0, blocks 6–11 at 132, blocks
        // 12–15 in the window ending at 352 (their scales at 40, 62, 84, 106 in it). Lane j takes two bytes.
        Vector512<byte> select = Vector512.Create(
            (byte)0, 1, 0, 0, 22, 23, 0, 0, 44, 45, 0, 0, 66, 67, 0, 0, 88, 89, 0, 0, 110, 111, 0, 0,
            0, 1, 0, 0, 22, 23, 0, 0, 44, 45, 0, 0, 66, 67, 0, 0, 88, 89, 0, 0, 110, 111, 0, 0,
            40, 41, 0, 0, 62, 63, 0, 0, 84, 85, 0, 0, 106, 107, 0, 0);
        Vector512<byte> w0 = Avx512Vbmi.PermuteVar64x8x2(Vector512.Load(first), select, Vector512.Load(first + 64));
        Vector512<byte> w1 = Avx512Vbmi.PermuteVar64x8x2(Vector512.Load(first + 132), select, Vector512.Load(first + 196));
        Vector512<byte> w2 = Avx512Vbmi.PermuteVar64x8x2(Vector512.Load(first + 224), select, Vector512.Load(first + 288));
        Vector512<byte> low = Vector512.ConditionalSelect(Vector512.Create(0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0).AsByte(), w1, w0);
        return Vector512.ConditionalSelect(Vector512.Create(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1).AsByte(), w2, low).AsUInt32();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Q4_0MatVecActivation Pair(byte* blocks) => Prepare(VecDotInt8.Join(blocks + 2, blocks + 34 + 2).AsSByte());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Q4_0MatVecActivation Last(byte* block) => Prepare(Vector256.Load(block + 2).ToVector512().AsSByte());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Q4_0MatVecActivation Prepare(Vector512<sbyte> y) =>
        new(y, Vector512.ShiftLeft(Avx512BW.MultiplyAddAdjacent(_byteOnes, y), 4));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<int> PairSums(byte* pair, in Q4_0MatVecActivation x)
    {
        Vector512<byte> bytes = Vector512.Load(pair);
        return Sums(Nibbles(bytes) | PairHighBits(bytes), x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<int> PairSumsNearEnd(byte* pair, in Q4_0MatVecActivation x) =>
        Sums(VecDotInt8.SplitNibblePair(Vector128.Load(pair + 6), Vector128.Load(pair + 22 + 6)) | HighBits(pair, pair + 22), x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<int> LastSums(byte* block, in Q4_0MatVecActivation x) =>
        Sums(Vector512.Create(VecDotInt8.SplitNibbles(Vector128.Load(block + 6)), default) | HighBits(*(uint*)(block + 2)), x);

    /// <summary>Σ(q − 16)·y per four consecutive elements, from the 5-bit levels q of a block pair.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<int> Sums(Vector512<byte> q, in Q4_0MatVecActivation x) =>
        Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(q, x.Values) - x.Offset, _shortOnes);

    /// <summary>The low nibbles of the block pair at <paramref name="pair"/> in VecDot's lane layout (reads 64 bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<byte> Nibbles(Vector512<byte> pair) =>
        VecDotInt8.NibblesByQuadword(Avx512Vbmi.PermuteVar64x8(pair, _select), _nibbleMatrices, _shifts, _lowNibble);

    /// <summary>
    /// The fifth bits of the block pair whose first 64 bytes are <paramref name="pair"/>, as 0x10 per element byte:
    /// <c>vpermb</c> gathers the two qh words into every quadword and <c>vpmultishiftqb</c> gives byte i the 8 bits
    /// starting at bit i − 4 (mod 64), so bit i lands on bit 4.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<byte> PairHighBits(Vector512<byte> pair)
    {
        Vector512<ulong> bits = Avx512Vbmi.PermuteVar64x8(pair, _highWords).AsUInt64();
        return Avx512Vbmi.MultiShift(_bitStarts, bits) & _fifthBit;
    }

    /// <summary>The fifth bits of two blocks as 0x10 per element byte (block b low 256 bits, b + 1 high).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<byte> HighBits(byte* first, byte* second) =>
        HighBits(*(uint*)(first + 2) | (ulong)*(uint*)(second + 2) << 32);

    /// <summary>Bit i of <paramref name="bits"/> → 0x10 in byte i, else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<byte> HighBits(ulong bits)
    {
        // Every 128-bit lane holds all 8 bytes of the broadcast, so the in-lane vpshufb picks byte i / 8 for byte i.
        Vector512<byte> index = Vector512.Create(
            (byte)0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3,
            4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7);
        Vector512<byte> spread = Avx512BW.Shuffle(Vector512.Create(bits).AsByte(), index);
        Vector512<byte> mask = Vector512.Create(0x8040201008040201ul).AsByte();
        return Vector512.Equals(spread & mask, mask) & Vector512.Create((byte)0x10);
    }
}
