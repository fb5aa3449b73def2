using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// A weight matrix as stored in GGUF: <see cref="Rows"/> rows (output features) of
/// <see cref="Columns"/> elements (input features) of type <see cref="Type"/>, row-major, usually a
/// view into the memory-mapped file. ggml calls Columns <c>ne0</c> and Rows <c>ne1</c>.
/// </summary>
public readonly unsafe struct WeightMatrix
{
    public WeightMatrix(GgmlType type, int rows, int columns, byte* data)
    {
        Type = type;
        Rows = rows;
        Columns = columns;
        RowBytes = checked((int)GgmlTypeInfo.RowBytes(type, columns));
        Data = data;
    }

    public GgmlType Type { get; }
    public int Rows { get; }
    public int Columns { get; }
    public int RowBytes { get; }
    public byte* Data { get; }

    /// <summary>The bytes of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<byte> Row(int row)
    {
        if ((uint)row >= (uint)Rows)
            throw new ArgumentOutOfRangeException(nameof(row), row, $"Row index outside 0..{Rows - 1}.");
        return new ReadOnlySpan<byte>(Data + (long)row * RowBytes, RowBytes);
    }

    /// <summary>Row <paramref name="row"/> converted to floats (an embedding lookup).</summary>
    public void DequantizeRow(int row, Span<float> destination) =>
        Dequantizer.DequantizeRow(Type, Row(row), destination[..Columns]);
}
