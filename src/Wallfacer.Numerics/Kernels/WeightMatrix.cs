using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>How a <see cref="WeightMatrix"/>'s bytes are ordered.</summary>
public enum WeightLayout
{
    /// <summary>As in GGUF: one row after another.</summary>
    RowMajor,
    /// <summary>Q4_0 regrouped sixteen rows side by side (<see cref="Q4_0Interleaved"/>).</summary>
    Q4_0Interleaved,
    /// <summary>Q5_0 with each row's blocks in groups of four, fifth bits sliced (<see cref="Q5_0Sliced"/>); rows stay in place.</summary>
    Q5_0Sliced,
    /// <summary>Q8_0 with four rows' blocks side by side (<see cref="Q8_0Grouped"/>).</summary>
    Q8_0Grouped,
}

/// <summary>
/// A weight matrix as stored in GGUF: <see cref="Rows"/> rows (output features) of
/// <see cref="Columns"/> elements (input features) of type <see cref="Type"/>, row-major, usually a
/// view into the memory-mapped file — or, for Q4_0 on machines with the interleaved kernel, a regrouped copy
/// (<see cref="Layout"/>). ggml calls Columns <c>ne0</c> and Rows <c>ne1</c>.
/// </summary>
public readonly unsafe struct WeightMatrix
{
    public WeightMatrix(GgmlType type, int rows, int columns, byte* data, WeightLayout layout = WeightLayout.RowMajor)
    {
        Type = type;
        Rows = rows;
        Columns = columns;
        RowBytes = checked((int)GgmlTypeInfo.RowBytes(type, columns));
        Data = data;
        Layout = layout;
    }

    /// <summary>How the bytes are ordered; only <see cref="WeightLayout.RowMajor"/> matrices have rows to read.</summary>
    public WeightLayout Layout { get; }

    public GgmlType Type { get; }
    public int Rows { get; }
    public int Columns { get; }
    public int RowBytes { get; }
    public byte* Data { get; }

    /// <summary>The bytes of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<byte> Row(int row)
    {
        if (Layout != WeightLayout.RowMajor)
            throw new InvalidOperationException($"A {Layout} matrix has no row-major rows to read.");
        if ((uint)row >= (uint)Rows)
            throw new ArgumentOutOfRangeException(nameof(row), row, $"Row index outside 0..{Rows - 1}.");
        return new ReadOnlySpan<byte>(Data + (long)row * RowBytes, RowBytes);
    }

    /// <summary>Row <paramref name="row"/> converted to floats (an embedding lookup).</summary>
    public void DequantizeRow(int row, Span<float> destination) =>
        Dequantizer.DequantizeRow(Type, Row(row), destination[..Columns]);
}
