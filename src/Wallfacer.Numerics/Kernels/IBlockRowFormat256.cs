using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// How <see cref="MatVecRows256{TFormat, TActivation}"/> forms the int32 partial sums of one 32-element weight block
/// against one Q8_0 activation block with AVX2: eight lanes, lane i the exact sum over elements 4i … 4i + 3 (low 128
/// bits elements 0–15, high bits 16–31, as <see cref="VecDotInt8"/> lays them out). Everything that depends only on
/// the activations is in <typeparamref name="TActivation"/>, prepared once per block and shared by the rows of a
/// group. The block's fp16 scale is its first two bytes (every such format starts with it).
/// </summary>
internal unsafe interface IBlockRowFormat256<TActivation> where TActivation : struct
{
    /// <summary>The weight type.</summary>
    static abstract GgmlType Type { get; }

    /// <summary>Bytes per weight block, fp16 scale included.</summary>
    static abstract int BlockBytes { get; }

    /// <summary>Rows whose blocks are laid out together: 1 in the file's layout.</summary>
    static abstract int GroupRows { get; }

    /// <summary>Where row <paramref name="row"/>'s first block starts, from the matrix's first byte.</summary>
    static abstract long RowOffset(int row, long rowBytes);

    /// <summary>
    /// Rows [<paramref name="first"/>, <paramref name="end"/>) as row-major rows <paramref name="rowBytes"/> apart, for
    /// the token tiles (which read one row at a time): in place in the file's layout, else copied into per-thread room
    /// (<see cref="PanelRows"/>, the calling thread's until its next call).
    /// </summary>
    static abstract byte* RowMajor(byte* w, int rowBytes, int first, int end);

    /// <summary>Bytes from one block of a row to the row's next: <see cref="BlockBytes"/> in the file's layout.</summary>
    static abstract int BlockStride { get; }

    /// <summary>The activation side of the Q8_0 block at <paramref name="block"/> (its scale bytes first).</summary>
    static abstract TActivation Activation(byte* block);

    /// <summary>The activation side of a Q8_0 block's 32 int8 values at <paramref name="values"/> (without the scale).</summary>
    static abstract TActivation ActivationValues(byte* values);

    /// <summary>The integer partial sums of the weight block at <paramref name="block"/> against <paramref name="x"/>.</summary>
    static abstract Vector256<int> Sums(byte* block, in TActivation x);

    /// <summary>The weight block's levels, unpacked once when several tokens meet it (<see cref="MatVecRows256{TFormat, TActivation}.RunTokens"/>).</summary>
    static abstract BlockLevels256 Decode(byte* block);

    /// <summary><see cref="Sums"/> from unpacked levels: the same int32 lanes.</summary>
    static abstract Vector256<int> Sums(in BlockLevels256 levels, in TActivation x);
}

/// <summary>A 32-element weight block unpacked for several tokens: up to two vectors, their meaning the format's.</summary>
internal readonly struct BlockLevels256(Vector256<byte> first, Vector256<byte> second)
{
    public Vector256<byte> First { get; } = first;
    public Vector256<byte> Second { get; } = second;
}

/// <summary>Activation side of the offset formats (Q5_0): the int8 values and −offset·Σy per four elements.</summary>
internal readonly struct OffsetActivation256(Vector256<sbyte> values, Vector256<int> negativeOffsetSums)
{
    public Vector256<sbyte> Values { get; } = values;
    public Vector256<int> NegativeOffsetSums { get; } = negativeOffsetSums;

    /// <summary>The 32 values at <paramref name="values"/> and −<paramref name="offset"/>·Σy per four elements (exact: |Σ| ≤ 16·4·128).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe OffsetActivation256 Create(byte* values, byte offset)
    {
        Vector256<sbyte> y = Vector256.Load((sbyte*)values);
        Vector256<int> sums = Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Vector256.Create(offset), y), Vector256<short>.One);
        return new OffsetActivation256(y, -sums);
    }
}

/// <summary>
/// Q5_0: the nibbles plus bit i of the 32-bit high mask as 16 on element i, unsigned on the left of <c>vpmaddubsw</c>
/// (pairs ≤ 2·31·128, no saturation); Σ(q − 16)·y with the 16·Σy part prepared once per activation block (one token;
/// several take the signed form of <see cref="Decode"/>). The block's
/// 16 packed bytes are loaded into both halves and the high half shifted right by four, so one mask leaves elements
/// 0–15 low and 16–31 high. (Q4_0 has its own kernel, <see cref="MatVecQ4_0Pairs256"/>.)
/// </summary>
internal readonly unsafe struct Q5_0Rows256 : IBlockRowFormat256<OffsetActivation256>
{
    public static GgmlType Type => GgmlType.Q5_0;
    public static int BlockBytes => BlockQ5_0.BlockBytes;
    public static int GroupRows => 1;
    public static int BlockStride => BlockBytes;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long RowOffset(int row, long rowBytes) => row * rowBytes;

    public static byte* RowMajor(byte* w, int rowBytes, int first, int end) => w + (long)first * rowBytes;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static OffsetActivation256 Activation(byte* block) => OffsetActivation256.Create(block + 2, 16);

    /// <summary>The values alone: the multi-token path takes the signed levels and needs no offset sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static OffsetActivation256 ActivationValues(byte* values) => new(Vector256.Load((sbyte*)values), default);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Sums(byte* block, in OffsetActivation256 x) =>
        VecDotInt8.DotUnsigned(x.NegativeOffsetSums, Levels(block), x.Values);

    /// <summary>
    /// For several tokens: w = level − 16 as |w| (<see cref="BlockLevels256.First"/>) and w (the sign it lends y,
    /// <see cref="BlockLevels256.Second"/>), Q8_0's form. Each lane Σ w·y over four elements is the offset form's
    /// Σ level·y − 16·Σ y exactly, and a token then costs one multiply pair instead of two (the offset sums were a
    /// second <c>vpmaddubsw</c>/<c>vpmaddwd</c> per block and token).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static BlockLevels256 Decode(byte* block)
    {
        Vector256<sbyte> w = (Levels(block) - Vector256.Create((byte)16)).AsSByte();
        return new BlockLevels256(Avx2.Abs(w), w.AsByte());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Sums(in BlockLevels256 levels, in OffsetActivation256 x) =>
        VecDotInt8.DotUnsigned(default, levels.First, Avx2.Sign(x.Values, levels.Second.AsSByte()));

    /// <summary>The 5-bit levels (unsigned): the nibbles with bit i of the 32-bit high mask as 16 on element i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Levels(byte* block) =>
        Nibbles(block + 6) | (VecDotInt8.ExpandBits(*(uint*)(block + 2)) & Vector256.Create((byte)0x10));

    /// <summary>16 packed bytes → 32 nibbles: low nibbles are elements 0–15, high nibbles 16–31.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<byte> Nibbles(byte* packed)
    {
        Vector256<byte> both = Avx2.BroadcastVector128ToVector256(packed);
        Vector256<byte> shifted = Avx2.ShiftRightLogical(both.AsUInt16(), 4).AsByte();
        return Avx2.Blend(both.AsUInt32(), shifted.AsUInt32(), 0b1111_0000).AsByte() & Vector256.Create((byte)0x0F);
    }
}

/// <summary>
/// Q8_0: signed × signed through the unsigned instruction (ggml's trick): |w| on the left, y with w's sign on the
/// right. Taking the absolute value of the weights, not of the activations, keeps a weight of −128 exact.
/// </summary>
internal readonly unsafe struct Q8_0Rows256 : IBlockRowFormat256<Vector256<sbyte>>
{
    public static GgmlType Type => GgmlType.Q8_0;
    public static int BlockBytes => BlockQ8_0.BlockBytes;
    public static int GroupRows => 1;
    public static int BlockStride => BlockBytes;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long RowOffset(int row, long rowBytes) => row * rowBytes;

    public static byte* RowMajor(byte* w, int rowBytes, int first, int end) => w + (long)first * rowBytes;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<sbyte> Activation(byte* block) => Vector256.Load((sbyte*)(block + 2));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<sbyte> ActivationValues(byte* values) => Vector256.Load((sbyte*)values);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Sums(byte* block, in Vector256<sbyte> x) => Sums(Decode(block), x);

    /// <summary>|w| in <see cref="BlockLevels256.First"/>, w in <see cref="BlockLevels256.Second"/> (the sign it lends y).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static BlockLevels256 Decode(byte* block)
    {
        Vector256<sbyte> w = Vector256.Load((sbyte*)(block + 2));
        return new BlockLevels256(Avx2.Abs(w), w.AsByte());
    }

    /// <summary><see cref="VecDotInt8.DotSigned"/>'s steps with |w| already taken.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Sums(in BlockLevels256 levels, in Vector256<sbyte> x) =>
        VecDotInt8.DotUnsigned(default, levels.First, Avx2.Sign(x, levels.Second.AsSByte()));
}

/// <summary>
/// Q8_0 grouped at load (<see cref="Q8_0Grouped"/>): the blocks and their arithmetic are <see cref="Q8_0Rows256"/>'s,
/// only where a row's blocks lie differs, so every (row, token) result is the same bit for bit.
/// </summary>
internal readonly unsafe struct Q8_0GroupedRows256 : IBlockRowFormat256<Vector256<sbyte>>
{
    public static GgmlType Type => GgmlType.Q8_0;
    public static int BlockBytes => BlockQ8_0.BlockBytes;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long RowOffset(int row, long rowBytes) => Q8_0Grouped.RowOffset(row, rowBytes);

    /// <summary>
    /// A copy: on grouped rows each row's blocks share their cache lines with three other rows', which cost the token
    /// tiles 3–12% read directly; a panel (~64 KiB) is copied once for all the tiles that pass over it.
    /// </summary>
    public static byte* RowMajor(byte* w, int rowBytes, int first, int end)
    {
        byte* into = PanelRows.Rent((long)(end - first) * rowBytes);
        Q8_0Grouped.CopyRows(w, rowBytes, first, end, into);
        return into;
    }

    public static int GroupRows => Q8_0Grouped.GroupRows;
    public static int BlockStride => Q8_0Grouped.BlockStride;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<sbyte> Activation(byte* block) => Q8_0Rows256.Activation(block);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<sbyte> ActivationValues(byte* values) => Q8_0Rows256.ActivationValues(values);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Sums(byte* block, in Vector256<sbyte> x) => Q8_0Rows256.Sums(block, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static BlockLevels256 Decode(byte* block) => Q8_0Rows256.Decode(block);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Sums(in BlockLevels256 levels, in Vector256<sbyte> x) => Q8_0Rows256.Sums(levels, x);
}
