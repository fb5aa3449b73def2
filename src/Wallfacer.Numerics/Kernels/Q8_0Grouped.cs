using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// Q8_0 weights re-laid at load for the AVX2 row kernels (<see cref="MatVecRows256{TFormat, TActivation}"/> with
/// <see cref="Q8_0GroupedRows256"/>): four rows' blocks side by side, so that the four rows one kernel step reads
/// together are one sequential stream. The file's blocks, unchanged, only reordered.
/// <para>
/// Why: one token's product with Q8_0 weights is bound by memory, and the row-major four-row step reads four streams a
/// whole row apart (1.9–9 KiB), each only a row long, which the hardware prefetchers follow poorly even with software
/// prefetching two groups ahead. On one Zen 3 core, over the Q8_0 matrices of the Llama-3.2-1B, Qwen2.5-0.5B and
/// MiniCPM-2B presets as mapped from their files, the same kernel read ×1.06–1.15 the bytes per second grouped. Pieces
/// of two, four or eight blocks per row instead of one measured ×1.09, ×1.03 and ×1.01.
/// </para>
/// <para>
/// A prompt's token tiles read one row at a time, so they take grouped rows through a row-major copy of each panel
/// (<see cref="MatVecRows256{TFormat, TActivation}"/>). With every Q8_0 matrix grouped (side by side with llama.cpp,
/// one thread, 3 pairs) generation gained (×1.20–1.30 of llama.cpp's against ×1.07–1.14 before), but 128-token
/// prompts ran ×0.89–0.92 of llama.cpp's with a block-at-a-time copy and ×0.94–1.03 with the four-row copy (noise
/// ±0.1 there), and load → first token grew 7–41% (every matrix copied at load); in a 5-pair run ×1.49 / ×1.24 / ×1.97
/// of llama.cpp's (Llama-3.2-1B / Qwen2.5-0.5B / MiniCPM-2B), where <c>perf</c> put 28% of the whole run's samples in
/// the kernel's zeroing of the copy's fresh pages (first touch of memory is slow on the benchmark VM). So loading
/// groups only the output matrix (<c>ModelWeights</c>): one token per step reads it, prompts included, and it is read
/// with file reads, so its mapped pages never become resident beside the copy.
/// </para>
/// <para>
/// Layout: rows 4g … 4g + 3 (group g) occupy the group's 4 × row bytes, as in the file, with block b of row 4g + k at
/// (4b + k) × 34 bytes into it (<see cref="RowOffset"/>; a row's blocks are <see cref="BlockStride"/> apart). A last
/// partial group keeps the same addressing, the absent rows' places zero (the copy is rounded up to whole groups; the
/// kernels never read them).
/// </para>
/// </summary>
public static unsafe class Q8_0Grouped
{
    /// <summary>Rows whose blocks alternate.</summary>
    public const int GroupRows = 4;

    private const int BlockBytes = BlockQ8_0.BlockBytes;

    /// <summary>Bytes from one block of a row to its next.</summary>
    public const int BlockStride = GroupRows * BlockBytes;

    /// <summary>True when this machine has the kernels that read grouped Q8_0 (AVX2).</summary>
    public static bool IsSupported => MatVecRows256<Q8_0GroupedRows256, Vector256<sbyte>>.CanRun;

    /// <summary>
    /// Whether loading should group Q8_0 matrices by default: where <see cref="VecDot.Dot"/> takes its 256-bit path
    /// (AVX2 without AVX-512), whose row kernels read the weights; the AVX-512 kernels keep the file's layout.
    /// </summary>
    public static bool PreferredForOneSequence => IsSupported && !VecDotInt8.Use512;

    /// <summary>True when rows of <paramref name="columns"/> elements are whole blocks.</summary>
    public static bool Fits(int columns) => columns > 0 && columns % 32 == 0;

    /// <summary>Where row <paramref name="row"/>'s first block starts, from the matrix's first byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long RowOffset(int row, long rowBytes) => row / GroupRows * GroupRows * rowBytes + row % GroupRows * BlockBytes;

    /// <summary>Bytes of a grouped matrix: whole groups.</summary>
    public static long MatrixBytes(int rows, int columns) =>
        (rows + (long)GroupRows - 1) / GroupRows * GroupRows * RowBytesOf(columns);

    /// <summary>
    /// Groups row-major rows [<paramref name="firstRow"/>, + <paramref name="count"/>) (<paramref name="firstRow"/> a
    /// multiple of <see cref="GroupRows"/>) held at <paramref name="source"/> into the grouped matrix at
    /// <paramref name="destination"/> of <paramref name="rows"/> rows; a chunk ending the matrix zeroes its last group's
    /// absent rows.
    /// </summary>
    public static void Group(byte* source, int firstRow, int count, int rows, int columns, byte* destination)
    {
        if (firstRow % GroupRows != 0)
            throw new ArgumentException($"Grouping starts at a multiple of {GroupRows} rows, not row {firstRow}.", nameof(firstRow));
        long rowBytes = RowBytesOf(columns);
        int blocks = columns / 32;
        for (int r = 0; r < count; r++)
        {
            byte* from = source + r * rowBytes;
            byte* to = destination + RowOffset(firstRow + r, rowBytes);
            for (int b = 0; b < blocks; b++, from += BlockBytes, to += BlockStride)
                CopyBlock(from, to);
        }
        int end = firstRow + count;
        if (end == rows)
            for (int absent = end; absent % GroupRows != 0; absent++)
                for (int b = 0; b < blocks; b++)
                    new Span<byte>(destination + RowOffset(absent, rowBytes) + (long)b * BlockStride, BlockBytes).Clear();
    }

    /// <summary>Row <paramref name="row"/> of a grouped matrix as the file holds it (the tests check grouping against it).</summary>
    public static void ReadRow(byte* grouped, int row, int columns, Span<byte> destination)
    {
        long rowBytes = RowBytesOf(columns);
        if (destination.Length < rowBytes)
            throw new ArgumentException($"Row {row} takes {rowBytes} bytes; the destination holds {destination.Length}.", nameof(destination));
        fixed (byte* into = destination)
            CopyRows(grouped, rowBytes, row, row + 1, into);
    }

    /// <summary>
    /// Rows [<paramref name="first"/>, <paramref name="end"/>) of a grouped matrix as the file holds them, one after
    /// another from <paramref name="into"/>. Group by group, block by block: the source is read in its own order.
    /// </summary>
    public static void CopyRows(byte* grouped, long rowBytes, int first, int end, byte* into)
    {
        int blocks = (int)(rowBytes / BlockBytes);
        for (int g = first / GroupRows * GroupRows; g < end; g += GroupRows)
        {
            int from = Math.Max(first, g), to = Math.Min(end, g + GroupRows);
            if (to - from == GroupRows)
            {
                CopyGroup(grouped + RowOffset(g, rowBytes), blocks, into + (g - first) * rowBytes, (nint)rowBytes);
                continue;
            }
            for (int r = from; r < to; r++)
            {
                byte* source = grouped + RowOffset(r, rowBytes), target = into + (r - first) * rowBytes;
                for (int b = 0; b < blocks; b++, source += BlockStride, target += BlockBytes)
                    CopyBlock(source, target);
            }
        }
    }

    /// <summary>
    /// A whole group into four rows: each step reads the four rows' blocks (136 bytes in a row) and writes each row's 34
    /// bytes as two overlapping 32-byte stores, no scalar moves (a panel of 8192-column rows is copied for every 32
    /// tokens of a prompt, so the copy's instructions count).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyGroup(byte* source, int blocks, byte* into, nint rowBytes)
    {
        byte* d0 = into, d1 = into + rowBytes, d2 = into + 2 * rowBytes, d3 = into + 3 * rowBytes;
        for (int b = 0; b < blocks; b++, source += BlockStride, d0 += BlockBytes, d1 += BlockBytes, d2 += BlockBytes, d3 += BlockBytes)
        {
            Vector256.Store(Vector256.Load(source), d0);
            Vector256.Store(Vector256.Load(source + 2), d0 + 2);
            Vector256.Store(Vector256.Load(source + BlockBytes), d1);
            Vector256.Store(Vector256.Load(source + BlockBytes + 2), d1 + 2);
            Vector256.Store(Vector256.Load(source + 2 * BlockBytes), d2);
            Vector256.Store(Vector256.Load(source + 2 * BlockBytes + 2), d2 + 2);
            Vector256.Store(Vector256.Load(source + 3 * BlockBytes), d3);
            Vector256.Store(Vector256.Load(source + 3 * BlockBytes + 2), d3 + 2);
        }
    }

    /// <summary>One 34-byte block: 32 bytes, then the last 2 (no call per block).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyBlock(byte* from, byte* to)
    {
        Vector256.Store(Vector256.Load(from), to);
        *(ushort*)(to + 32) = *(ushort*)(from + 32);
    }

    private static long RowBytesOf(int columns) =>
        Fits(columns) ? (long)columns / 32 * BlockBytes
            : throw new ArgumentException($"A Q8_0 row holds whole 32-element blocks; {columns} columns do not.", nameof(columns));

    /// <summary>
    /// A grouped copy of a Q8_0 matrix in 64-byte-aligned native memory, freed on dispose. The source is read once, in
    /// chunks of rows, on the machine's threads (at model load, part of the time to the first token).
    /// </summary>
    public sealed class Matrix : RelaidCopy
    {
        private const int RowsPerChunk = 64 * GroupRows;

        /// <summary>Groups a row-major matrix in memory.</summary>
        public Matrix(in WeightMatrix source) : this(Checked(source, GgmlType.Q8_0, "grouped").Rows, source.Columns, Copier(source))
        {
        }

        /// <summary>Groups a row-major matrix of <paramref name="rows"/> × <paramref name="columns"/> read through <paramref name="read"/>.</summary>
        public Matrix(int rows, int columns, RowReader read)
            : base(rows, RowBytesOf(columns), RowsPerChunk, MatrixBytes(rows, columns), read,
                (from, firstRow, count, to) => Group(from, firstRow, count, rows, columns, to))
        {
            Weights = new WeightMatrix(GgmlType.Q8_0, rows, columns, Data, WeightLayout.Q8_0Grouped);
        }
    }
}
