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
        if (columns % 32 != 0)
            throw new ArgumentException($"A Q4_0 row holds whole 32-element blocks; {columns} columns do not.", nameof(columns));
        int blocks = columns / 32;
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
