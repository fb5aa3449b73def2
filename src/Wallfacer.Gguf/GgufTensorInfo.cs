using Wallfacer.Numerics.Quants;

namespace Wallfacer.Gguf;

/// <summary>
/// One tensor's entry in a GGUF file's tensor-info table.
/// </summary>
/// <param name="Name">The tensor's name, e.g. <c>blk.0.attn_q.weight</c>.</param>
/// <param name="Type">Element (block) type.</param>
/// <param name="Dimensions">Shape with <c>ne0</c> (the fastest-varying, contiguous axis) first, as in ggml.</param>
/// <param name="Offset">Byte offset of the data relative to the start of the data section.</param>
/// <param name="ElementCount">Product of the dimensions.</param>
/// <param name="ByteSize">Bytes of data (whole blocks; no padding).</param>
public sealed record GgufTensorInfo(string Name, GgmlType Type, long[] Dimensions, ulong Offset, long ElementCount, long ByteSize)
{
    /// <summary>Elements in one row (<c>ne0</c>); 1 for a scalar.</summary>
    public long RowLength => Dimensions.Length == 0 ? 1 : Dimensions[0];

    /// <summary>Number of rows (product of all dimensions but the first).</summary>
    public long RowCount => RowLength == 0 ? 0 : ElementCount / RowLength;

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Type} [{string.Join(", ", Dimensions)}] @{Offset} ({ByteSize} bytes)";

    /// <summary>
    /// Element count and byte size of a tensor of <paramref name="type"/> with <paramref name="dimensions"/>,
    /// or an explanation of why no such tensor can exist (unknown type, non-positive or overflowing
    /// dimensions, a row that is not a whole number of blocks).
    /// </summary>
    internal static string? TryComputeSize(GgmlType type, ReadOnlySpan<long> dimensions, out long elementCount, out long byteSize)
    {
        elementCount = 0;
        byteSize = 0;
        if (!GgmlTypeInfo.IsKnown(type))
            return $"unknown tensor type {(uint)type}";
        if (dimensions.Length > GgufLimits.MaxDimensions)
            return $"{dimensions.Length} dimensions; at most {GgufLimits.MaxDimensions} are allowed";
        long count = 1;
        for (int i = 0; i < dimensions.Length; i++)
        {
            if (dimensions[i] <= 0)
                return $"dimension {i} is {dimensions[i]}; every dimension must be positive";
            if (count > long.MaxValue / dimensions[i])
                return $"the element count of shape [{string.Join(", ", dimensions.ToArray())}] overflows a 64-bit integer";
            count *= dimensions[i];
        }
        long rowLength = dimensions.Length == 0 ? 1 : dimensions[0];
        int blockSize = GgmlTypeInfo.BlockSize(type);
        if (rowLength % blockSize != 0)
            return $"a row of {rowLength} elements is not a multiple of the {type} block size {blockSize}";
        long blocks = count / blockSize;
        int typeSize = GgmlTypeInfo.TypeSize(type);
        if (blocks > long.MaxValue / typeSize)
            return $"the byte size of shape [{string.Join(", ", dimensions.ToArray())}] overflows a 64-bit integer";
        elementCount = count;
        byteSize = blocks * typeSize;
        return null;
    }
}
