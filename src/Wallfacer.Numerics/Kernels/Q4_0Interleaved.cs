using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// Q4_0 weights regrouped at load for <see cref="MatMulQ4_0Interleaved"/>: sixteen rows side by side, so that one
/// 512-bit vector holds the same four nibble bytes of sixteen rows and a token's activations are broadcast against it.
/// The bytes are the file's, only reordered — the same size, the same blocks.
/// <para>
/// Layout, per group of 16 rows (the last group padded with zero rows, whose scale 0 makes them contribute nothing):
/// first, per block, four 64-byte vectors — vector i holds bytes 4i…4i+3 of the block's 16 nibble bytes for rows 0…15
/// (byte j carries element j in its low nibble and element j + 16 in its high one, as in the file); then, per block, the
/// sixteen rows' fp16 scales (32 bytes). A group is <see cref="GroupBytes"/> long.
/// </para>
/// </summary>
public static unsafe class Q4_0Interleaved
{
    /// <summary>True when this machine runs interleaved Q4_0 weights (<see cref="MatMulQ4_0Interleaved"/>: AVX-512 BW, or AVX2 + FMA).</summary>
    public static bool IsSupported => MatMulQ4_0Interleaved.IsSupported;

    /// <summary>
    /// Whether one sequence (a chat, a prompt, generation) runs faster on regrouped Q4_0 weights here, so that loading
    /// should regroup them by default: true without AVX-512, where the row-major kernel is bound by its instruction count
    /// (horizontal sums and a scale broadcast per row and block) and the interleaved one is not; false with AVX-512,
    /// where one token's generation is bound by memory either way and the load would only read the weights once more.
    /// </summary>
    public static bool PreferredForOneSequence => IsSupported && !VecDotInt8.Use512;

    /// <summary>Rows per group (lanes of a 512-bit vector of 32-bit groups).</summary>
    public const int GroupRows = 16;
    private const int BlockBytes = 18;
    private const int QuantBytes = 16;
    internal const int VectorBytes = 64;
    internal const int BlockQuantBytes = 4 * VectorBytes;   // a block's four vectors
    internal const int BlockScaleBytes = 2 * GroupRows;

    /// <summary>Bytes of one group of 16 rows of <paramref name="blocks"/> blocks.</summary>
    public static long GroupBytes(int blocks) => (long)blocks * (BlockQuantBytes + BlockScaleBytes);

    /// <summary>Groups covering <paramref name="rows"/> rows.</summary>
    public static int Groups(int rows) => (rows + GroupRows - 1) / GroupRows;

    /// <summary>Bytes of a whole interleaved matrix.</summary>
    public static long MatrixBytes(int rows, int columns) => Groups(rows) * GroupBytes(columns / 32);

    /// <summary>
    /// Regroups a row-major Q4_0 matrix of <paramref name="rows"/> rows into <paramref name="destination"/>
    /// (<see cref="MatrixBytes"/> bytes) for groups [<paramref name="firstGroup"/>, <paramref name="endGroup"/>), so
    /// that workers can share a matrix. <paramref name="source"/> holds the rows from <paramref name="sourceFirstRow"/>
    /// on (at least those of the groups).
    /// </summary>
    public static void Repack(byte* source, int sourceFirstRow, int rows, int columns, byte* destination, int firstGroup, int endGroup)
    {
        if (Avx2.IsSupported)
            RepackAvx2(source, sourceFirstRow, rows, columns, destination, firstGroup, endGroup);
        else
            RepackReference(source, sourceFirstRow, rows, columns, destination, firstGroup, endGroup);
    }

    /// <summary><see cref="Repack"/> one 4-byte piece at a time: the reference the vector path is tested against.</summary>
    internal static void RepackReference(byte* source, int sourceFirstRow, int rows, int columns, byte* destination, int firstGroup,
        int endGroup)
    {
        int blocks = BlocksOf(columns);
        long rowBytes = (long)blocks * BlockBytes;
        for (int g = firstGroup; g < endGroup; g++)
        {
            byte* group = destination + g * GroupBytes(blocks);
            byte* scales = group + (long)blocks * BlockQuantBytes;
            for (int i = 0; i < GroupRows; i++)
            {
                int row = g * GroupRows + i;
                for (int b = 0; b < blocks; b++)
                {
                    byte* quants = group + (long)b * BlockQuantBytes + i * sizeof(uint);
                    ushort* scale = (ushort*)(scales + (long)b * BlockScaleBytes) + i;
                    if (row >= rows)
                    {
                        for (int v = 0; v < 4; v++)
                            *(uint*)(quants + v * VectorBytes) = 0;
                        *scale = 0;
                        continue;
                    }
                    byte* block = source + (row - sourceFirstRow) * rowBytes + (long)b * BlockBytes;
                    *scale = *(ushort*)block;
                    for (int v = 0; v < 4; v++)
                        *(uint*)(quants + v * VectorBytes) = *(uint*)(block + 2 + 4 * v);
                }
            }
        }
    }

    /// <summary>
    /// <see cref="Repack"/> with AVX2, block by block: each half group's eight 16-byte rows of nibbles are a 4 × 8
    /// transpose of 4-byte pieces (two rounds of unpacks within the 128-bit lanes, rows i and i + 4 sharing a register),
    /// which gives the four vectors' halves directly. Load time: the scalar loop moved 4 bytes per step and was about a
    /// seventh of loading a Q4_0 model.
    /// </summary>
    private static void RepackAvx2(byte* source, int sourceFirstRow, int rows, int columns, byte* destination, int firstGroup,
        int endGroup)
    {
        int blocks = BlocksOf(columns);
        long rowBytes = (long)blocks * BlockBytes;
        byte** rowStarts = stackalloc byte*[GroupRows];
        for (int g = firstGroup; g < endGroup; g++)
        {
            byte* group = destination + g * GroupBytes(blocks);
            int present = Math.Clamp(rows - g * GroupRows, 0, GroupRows);
            for (int i = 0; i < GroupRows; i++)
                rowStarts[i] = i < present ? source + (g * GroupRows + i - sourceFirstRow) * rowBytes : null;
            ushort* scales = (ushort*)(group + (long)blocks * BlockQuantBytes);
            for (int b = 0; b < blocks; b++, scales += GroupRows)
            {
                long offset = (long)b * BlockBytes;
                byte* quants = group + (long)b * BlockQuantBytes;
                for (int half = 0; half < GroupRows; half += 8)
                    TransposeEight(rowStarts + half, offset + 2, quants + half * sizeof(uint));
                for (int i = 0; i < GroupRows; i++)
                    scales[i] = rowStarts[i] != null ? *(ushort*)(rowStarts[i] + offset) : (ushort)0;
            }
        }
    }

    /// <summary>
    /// Eight rows' 16 bytes at <paramref name="offset"/> (zeros for absent rows) as four 32-byte pieces at
    /// <paramref name="to"/> + v·<see cref="VectorBytes"/>: piece v holds bytes 4v…4v+3 of rows 0…7 in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeEight(byte** rows, long offset, byte* to)
    {
        // Register j holds row j in its low lane and row j + 4 in its high lane.
        Vector256<uint> r0 = Pair(rows[0], rows[4], offset), r1 = Pair(rows[1], rows[5], offset);
        Vector256<uint> r2 = Pair(rows[2], rows[6], offset), r3 = Pair(rows[3], rows[7], offset);
        Vector256<uint> low01 = Avx2.UnpackLow(r0, r1), low23 = Avx2.UnpackLow(r2, r3);   // pieces 0, 1 of rows 0–3
        Vector256<uint> high01 = Avx2.UnpackHigh(r0, r1), high23 = Avx2.UnpackHigh(r2, r3); // pieces 2, 3
        Avx2.UnpackLow(low01.AsUInt64(), low23.AsUInt64()).Store((ulong*)to);
        Avx2.UnpackHigh(low01.AsUInt64(), low23.AsUInt64()).Store((ulong*)(to + VectorBytes));
        Avx2.UnpackLow(high01.AsUInt64(), high23.AsUInt64()).Store((ulong*)(to + 2 * VectorBytes));
        Avx2.UnpackHigh(high01.AsUInt64(), high23.AsUInt64()).Store((ulong*)(to + 3 * VectorBytes));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Pair(byte* low, byte* high, long offset) =>
        Vector256.Create(Row16(low, offset), Row16(high, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Row16(byte* row, long offset) =>
        row != null ? Vector128.Load((uint*)(row + offset)) : Vector128<uint>.Zero;

    private static int BlocksOf(int columns) =>
        columns % 32 == 0 ? columns / 32
            : throw new ArgumentException($"A Q4_0 row holds whole 32-element blocks; {columns} columns do not.", nameof(columns));

    /// <summary>
    /// An interleaved copy of a Q4_0 matrix in 64-byte-aligned native memory, freed on dispose. The source is read once,
    /// in chunks of rows, on the machine's threads (this runs at model load, where it is part of the time to the first
    /// token).
    /// </summary>
    public sealed class Matrix : RelaidCopy
    {
        private const int GroupsPerChunk = 64;

        /// <summary>Regroups a row-major matrix in memory.</summary>
        public Matrix(in WeightMatrix source) : this(Checked(source, GgmlType.Q4_0, "interleaved").Rows, source.Columns, Copier(source))
        {
        }

        /// <summary>Regroups a row-major matrix of <paramref name="rows"/> × <paramref name="columns"/> read through <paramref name="read"/>.</summary>
        public Matrix(int rows, int columns, RowReader read)
            : base(rows, RowBytesOf(columns), GroupsPerChunk * GroupRows, MatrixBytes(rows, columns), read,
                (from, firstRow, count, to) => Repack(from, firstRow, rows, columns, to, firstRow / GroupRows, Groups(firstRow + count)))
        {
            Weights = new WeightMatrix(GgmlType.Q4_0, rows, columns, Data, WeightLayout.Q4_0Interleaved);
        }

        private static long RowBytesOf(int columns) =>
            columns % 32 == 0 ? (long)columns / 32 * BlockBytes
                : throw new ArgumentException($"A Q4_0 row holds whole 32-element blocks; {columns} columns do not.", nameof(columns));
    }
}
