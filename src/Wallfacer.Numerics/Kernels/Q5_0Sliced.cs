using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// Q5_0 weights re-laid at load for <see cref="MatVecQ5_0Sliced256"/>: each row's blocks in groups of four, the fifth
/// bits of the four blocks sliced into one 16-byte vector and the nibbles of two blocks sharing each 32-byte vector.
/// The same bytes per row (4 × 22), only reordered, so rows stay where they were and a worker's rows stay its own.
/// <para>
/// Why: one token's product with a row-major Q5_0 row is bound by its instruction count, not by memory — per block a
/// 32-bit → 32-byte spread of the fifth bits (broadcast, shuffle, mask, compare, mask) and a 16 → 32-byte spread of the
/// nibbles (broadcast, shift, blend, mask), about 24 instructions per block and row against about 15 here, where a
/// block's fifth bits are one shift and one mask of the group's vector and two blocks' nibbles come out of one load.
/// </para>
/// <para>
/// Layout of a group (blocks 4g … 4g + 3 of a row, <see cref="GroupBytes"/> bytes): the four fp16 scales (8 bytes);
/// the fifth bits H (16 bytes): bit j of byte e is block j's bit for element e, bit 4 + j its bit for element e + 16;
/// then blocks 0 and 1 (32 bytes: byte i holds element i of block 0 in its low nibble and of block 1 in its high one)
/// and blocks 2 and 3 likewise. The levels come out in element order, so every block's integer sums are the row-major
/// kernel's exactly (<see cref="MatVecRows256{TFormat, TActivation}"/>), and so are the results.
/// </para>
/// </summary>
public static unsafe class Q5_0Sliced
{
    /// <summary>Blocks per group.</summary>
    public const int GroupBlocks = 4;

    /// <summary>Bytes per group: four 22-byte blocks.</summary>
    public const int GroupBytes = GroupBlocks * BlockBytes;

    internal const int BitsOffset = 8;
    internal const int NibblesOffset = 24;
    private const int BlockBytes = 22;

    /// <summary>True when this machine has the sliced kernels (AVX2).</summary>
    public static bool IsSupported => MatVecQ5_0Sliced256.CanRun;

    /// <summary>
    /// Whether loading should slice Q5_0 matrices by default: where <see cref="VecDot.Dot"/> takes its 256-bit path (AVX2
    /// without AVX-512), whose row-major Q5_0 kernel is bound by its instructions. With AVX-512 the 512-bit kernels keep
    /// the file's layout.
    /// </summary>
    public static bool PreferredForOneSequence => IsSupported && !VecDotInt8.Use512;

    /// <summary>True when rows of <paramref name="columns"/> elements split into whole groups (128 elements each).</summary>
    public static bool Fits(int columns) => columns > 0 && columns % (32 * GroupBlocks) == 0;

    /// <summary>Re-lays <paramref name="rows"/> row-major Q5_0 rows of <paramref name="columns"/> elements from <paramref name="source"/> into <paramref name="destination"/> (the same size).</summary>
    public static void Slice(byte* source, byte* destination, int rows, int columns)
    {
        CheckColumns(columns);
        long bytes = (long)rows * (columns / 32) * BlockBytes;
        for (long g = 0; g < bytes; g += GroupBytes)
        {
            if (Avx2.IsSupported)
                SliceGroup256(source + g, destination + g);
            else
                SliceGroup(source + g, destination + g);
        }
    }

    /// <summary><see cref="SliceGroup"/> with AVX2: the load slices every Q5_0 matrix (with the scalar form, Qwen2.5-0.5B Q4_K_M's load → first token grew by ~0.4 s; with this, ~0.15 s).</summary>
    internal static void SliceGroup256(byte* blocks, byte* group)
    {
        Vector256<byte> bits = default;
        Vector256<byte> n0 = default, n1 = default, n2 = default, n3 = default;
        for (int j = 0; j < GroupBlocks; j++)
        {
            byte* block = blocks + j * BlockBytes;
            ((ushort*)group)[j] = *(ushort*)block;
            // Element e's fifth bit (0xFF where set, element order) kept as bit j (elements 0–15) or 4 + j (16–31).
            Vector256<byte> mask = Vector256.Create(Vector128.Create((byte)(1 << j)), Vector128.Create((byte)(16 << j)));
            bits |= VecDotInt8.ExpandBits(*(uint*)(block + 2)) & mask;
            Vector256<byte> nibbles = Q5_0Rows256.Nibbles(block + 6);
            switch (j)
            {
                case 0: n0 = nibbles; break;
                case 1: n1 = nibbles; break;
                case 2: n2 = nibbles; break;
                default: n3 = nibbles; break;
            }
        }
        (bits.GetLower() | bits.GetUpper()).Store(group + BitsOffset);
        (n0 | Vector256.ShiftLeft(n1.AsUInt16(), 4).AsByte()).Store(group + NibblesOffset);
        (n2 | Vector256.ShiftLeft(n3.AsUInt16(), 4).AsByte()).Store(group + NibblesOffset + 32);
    }

    /// <summary>The inverse of <see cref="Slice"/>: the file's row-major blocks again (the tests check slicing against it).</summary>
    public static void Unslice(byte* source, byte* destination, int rows, int columns)
    {
        CheckColumns(columns);
        long bytes = (long)rows * (columns / 32) * BlockBytes;
        for (long g = 0; g < bytes; g += GroupBytes)
            UnsliceGroup(source + g, destination + g);
    }

    /// <summary>One group, element by element (the reference for <see cref="SliceGroup256"/>).</summary>
    internal static void SliceGroup(byte* blocks, byte* group)
    {
        var bits = stackalloc byte[16];
        new Span<byte>(bits, 16).Clear();
        for (int j = 0; j < GroupBlocks; j++)
        {
            byte* block = blocks + j * BlockBytes;
            ((ushort*)group)[j] = *(ushort*)block;
            uint qh = *(uint*)(block + 2);
            byte* qs = block + 6;
            byte* pair = group + NibblesOffset + 32 * (j / 2);
            for (int e = 0; e < 16; e++)
            {
                bits[e] |= (byte)((((qh >> e) & 1) << j) | (((qh >> (e + 16)) & 1) << (4 + j)));
                // Elements e and e + 16 of block j (its low four bits), into the pair's bytes e and e + 16.
                int low = qs[e] & 0x0F, high = qs[e] >> 4;
                if (j % 2 == 0)
                {
                    pair[e] = (byte)low;
                    pair[e + 16] = (byte)high;
                }
                else
                {
                    pair[e] |= (byte)(low << 4);
                    pair[e + 16] |= (byte)(high << 4);
                }
            }
        }
        new ReadOnlySpan<byte>(bits, 16).CopyTo(new Span<byte>(group + BitsOffset, 16));
    }

    private static void UnsliceGroup(byte* group, byte* blocks)
    {
        byte* bits = group + BitsOffset;
        for (int j = 0; j < GroupBlocks; j++)
        {
            byte* block = blocks + j * BlockBytes;
            *(ushort*)block = ((ushort*)group)[j];
            byte* pair = group + NibblesOffset + 32 * (j / 2);
            int shift = 4 * (j % 2);
            uint qh = 0;
            for (int e = 0; e < 16; e++)
            {
                qh |= (uint)((bits[e] >> j) & 1) << e;
                qh |= (uint)((bits[e] >> (4 + j)) & 1) << (e + 16);
                int low = (pair[e] >> shift) & 0x0F, high = (pair[e + 16] >> shift) & 0x0F;
                block[6 + e] = (byte)(low | (high << 4));
            }
            *(uint*)(block + 2) = qh;
        }
    }

    private static void CheckColumns(int columns)
    {
        if (!Fits(columns))
            throw new ArgumentException($"Sliced Q5_0 rows hold whole groups of {32 * GroupBlocks} elements; {columns} columns do not.", nameof(columns));
    }

    /// <summary>
    /// A sliced copy of a Q5_0 matrix in 64-byte-aligned native memory, freed on dispose. The source is read once, in
    /// chunks of rows, on the machine's threads (at model load, part of the time to the first token).
    /// </summary>
    public sealed class Matrix : RelaidCopy
    {
        private const int RowsPerChunk = 256;

        /// <summary>Slices a row-major matrix in memory.</summary>
        public Matrix(in WeightMatrix source) : this(Checked(source, GgmlType.Q5_0, "sliced").Rows, source.Columns, Copier(source))
        {
        }

        /// <summary>Slices a row-major matrix of <paramref name="rows"/> × <paramref name="columns"/> read through <paramref name="read"/>.</summary>
        public Matrix(int rows, int columns, RowReader read)
            : base(rows, RowBytesOf(columns), RowsPerChunk, rows * RowBytesOf(columns), read,
                (from, firstRow, count, to) => Slice(from, to + firstRow * RowBytesOf(columns), count, columns))
        {
            Weights = new WeightMatrix(GgmlType.Q5_0, rows, columns, Data, WeightLayout.Q5_0Sliced);
        }

        private static long RowBytesOf(int columns)
        {
            CheckColumns(columns);
            return (long)columns / 32 * BlockBytes;
        }
    }
}
