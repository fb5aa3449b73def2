using System.Text;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Gguf;

/// <summary>What <see cref="GgufParser"/> found in a file's header, metadata and tensor-info table.</summary>
internal sealed record GgufLayout(uint Version, GgufMetadata Metadata, GgufTensorInfo[] Tensors, int Alignment, long DataOffset);

/// <summary>
/// Parses and validates the structure of a GGUF file: header, key/value metadata, tensor infos, and
/// the placement of tensor data. Layout from llama.cpp ggml/src/gguf.cpp (gguf_init_from_reader);
/// validation is stricter where that helps (dimensions must be positive, tensors may not overlap).
/// </summary>
internal static class GgufParser
{
    // Smallest possible encodings, used to bound the header's counts by the file size:
    // a key/value is a key length (8), at least one key byte, a type (4) and at least one value byte;
    // a tensor info is a name length (8), at least one name byte, n_dims (4), type (4) and offset (8).
    private const int MinKeyValueBytes = 8 + 1 + 4 + 1;
    private const int MinTensorInfoBytes = 8 + 1 + 4 + 4 + 8;

    public static GgufLayout Parse(ReadOnlySpan<byte> data, long fileLength, string? filePath)
    {
        var reader = new GgufSpanReader(data, fileLength, filePath);
        uint version = ReadHeader(ref reader, out ulong tensorCount, out ulong keyValueCount);
        var metadata = ReadMetadata(ref reader, (int)keyValueCount, filePath);
        int alignment = ReadAlignment(ref reader, metadata);
        var infoOffsets = new long[tensorCount];
        var tensors = new GgufTensorInfo[tensorCount];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < tensors.Length; i++)
        {
            infoOffsets[i] = reader.Position;
            tensors[i] = ReadTensorInfo(ref reader, i);
            if (!names.Add(tensors[i].Name))
                throw reader.Error($"tensor name '{tensors[i].Name}' appears twice", infoOffsets[i]);
        }
        long dataOffset = AlignUp(reader.Position, alignment);
        CheckTensorPlacement(ref reader, tensors, infoOffsets, alignment, dataOffset, fileLength);
        return new GgufLayout(version, metadata, tensors, alignment, dataOffset);
    }

    internal static long AlignUp(long offset, long alignment) => (offset + alignment - 1) / alignment * alignment;

    private static uint ReadHeader(ref GgufSpanReader reader, out ulong tensorCount, out ulong keyValueCount)
    {
        uint magic = reader.ReadUInt32("the magic number");
        if (magic != GgufLimits.Magic)
            throw reader.Error($"not a GGUF file: the magic number is 0x{magic:X8}, expected \"GGUF\" (0x{GgufLimits.Magic:X8})", 0);
        uint version = reader.ReadUInt32("the version");
        if (version != 0 && (version & 0xFFFF) == 0)
            throw reader.Error($"the version reads as 0x{version:X8}: this looks like a big-endian GGUF file; only little-endian files are supported", 4);
        if (version < GgufLimits.MinVersion || version > GgufLimits.MaxVersion)
            throw reader.Error($"unsupported GGUF version {version}; versions {GgufLimits.MinVersion} and {GgufLimits.MaxVersion} are supported" +
                (version == 1 ? " (re-convert the model with a current llama.cpp)" : ""), 4);
        tensorCount = reader.ReadUInt64("the tensor count");
        keyValueCount = reader.ReadUInt64("the metadata key/value count");
        ulong available = (ulong)reader.Remaining;
        if (tensorCount > available / MinTensorInfoBytes)
            throw reader.Error($"the tensor count {tensorCount} cannot fit in the {available} bytes that remain", 8);
        if (keyValueCount > available / MinKeyValueBytes)
            throw reader.Error($"the metadata key/value count {keyValueCount} cannot fit in the {available} bytes that remain", 16);
        if (tensorCount * MinTensorInfoBytes + keyValueCount * MinKeyValueBytes > available)
            throw reader.Error($"{tensorCount} tensor infos and {keyValueCount} key/values cannot fit in the {available} bytes that remain", 8);
        return version;
    }

    private static GgufMetadata ReadMetadata(ref GgufSpanReader reader, int count, string? filePath)
    {
        var metadata = new GgufMetadata(filePath);
        for (int i = 0; i < count; i++)
        {
            long keyOffset = reader.Position;
            string key = reader.ReadString($"the name of metadata key {i}");
            if (key.Length == 0)
                throw reader.Error($"metadata key {i} has an empty name", keyOffset);
            if (metadata.Contains(key))
                throw reader.Error($"metadata key '{key}' appears twice", keyOffset);
            var type = GgufValueReader.ReadType(ref reader, $"the value type of '{key}'");
            long valueOffset = reader.Position;
            var value = GgufValueReader.Read(ref reader, type, key, depth: 0);
            metadata.TryAdd(key, value, valueOffset);
        }
        return metadata;
    }

    private static int ReadAlignment(ref GgufSpanReader reader, GgufMetadata metadata)
    {
        if (!metadata.TryGetValue(GgufKeys.GeneralAlignment, out var value))
            return GgufLimits.DefaultAlignment;
        long at = metadata.GetOffset(GgufKeys.GeneralAlignment);
        if (value.Type != GgufValueType.UInt32)
            throw reader.Error($"'{GgufKeys.GeneralAlignment}' must be UInt32, but it is {value.TypeName}", at);
        uint alignment = (uint)value.Value;
        if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment > 1u << 30)
            throw reader.Error($"'{GgufKeys.GeneralAlignment}' is {alignment}; it must be a power of two no larger than 2^30", at);
        return (int)alignment;
    }

    private static GgufTensorInfo ReadTensorInfo(ref GgufSpanReader reader, int index)
    {
        long start = reader.Position;
        string name = reader.ReadString($"the name of tensor {index}");
        if (name.Length == 0)
            throw reader.Error($"tensor {index} has an empty name", start);
        if (Encoding.UTF8.GetByteCount(name) > GgufLimits.MaxTensorNameBytes)
            throw reader.Error($"tensor name '{name}' is longer than {GgufLimits.MaxTensorNameBytes} bytes", start);
        long dimsOffset = reader.Position;
        uint rank = reader.ReadUInt32($"the dimension count of tensor '{name}'");
        if (rank > GgufLimits.MaxDimensions)
            throw reader.Error($"tensor '{name}' has {rank} dimensions; at most {GgufLimits.MaxDimensions} are allowed", dimsOffset);
        var dimensions = new long[rank];
        for (int d = 0; d < dimensions.Length; d++)
            dimensions[d] = (long)reader.ReadUInt64($"dimension {d} of tensor '{name}'");
        long typeOffset = reader.Position;
        var type = (GgmlType)reader.ReadUInt32($"the type of tensor '{name}'");
        string? problem = GgufTensorInfo.TryComputeSize(type, dimensions, out long elementCount, out long byteSize);
        if (problem != null)
            throw reader.Error($"tensor '{name}': {problem}", GgmlTypeInfo.IsKnown(type) ? dimsOffset : typeOffset);
        ulong offset = reader.ReadUInt64($"the data offset of tensor '{name}'");
        return new GgufTensorInfo(name, type, dimensions, offset, elementCount, byteSize);
    }

    /// <summary>Every tensor's data must be aligned, lie inside the file, and not overlap another's.</summary>
    private static void CheckTensorPlacement(ref GgufSpanReader reader, GgufTensorInfo[] tensors, long[] infoOffsets,
        int alignment, long dataOffset, long fileLength)
    {
        long dataLength = fileLength - dataOffset;
        for (int i = 0; i < tensors.Length; i++)
        {
            var t = tensors[i];
            if (t.Offset % (ulong)alignment != 0)
                throw reader.Error($"tensor '{t.Name}' data offset {t.Offset} is not a multiple of the alignment {alignment}", infoOffsets[i]);
            if (dataLength < 0 || t.Offset > (ulong)dataLength || (ulong)t.ByteSize > (ulong)dataLength - t.Offset)
            {
                throw reader.Error($"tensor '{t.Name}' data ({t.ByteSize} bytes at data offset {t.Offset}, file offset {dataOffset + (decimal)t.Offset}) " +
                    $"lies past the end of the file ({fileLength} bytes)", infoOffsets[i]);
            }
        }
        var order = Enumerable.Range(0, tensors.Length).OrderBy(i => tensors[i].Offset).ToArray();
        for (int k = 1; k < order.Length; k++)
        {
            var previous = tensors[order[k - 1]];
            var current = tensors[order[k]];
            if (current.Offset < previous.Offset + (ulong)previous.ByteSize)
                throw reader.Error($"tensor '{current.Name}' data overlaps tensor '{previous.Name}'", infoOffsets[order[k]]);
        }
    }
}
