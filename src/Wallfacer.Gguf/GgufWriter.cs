using System.Text;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Gguf;

/// <summary>
/// Builds a GGUF file: metadata in insertion order, then tensor infos and tensor data in the order
/// added. Tensor data is referenced, not copied, until <see cref="Write(Stream)"/> streams it out.
/// The layout matches llama.cpp's writers (gguf.cpp gguf_write_out, gguf-py GGUFWriter): tensor
/// offsets are consecutive, each tensor padded to the alignment, so re-writing a file read with
/// <see cref="GgufFile"/> reproduces it byte for byte.
/// </summary>
public sealed class GgufWriter
{
    private readonly List<KeyValuePair<string, GgufValue>> _metadata = [];
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly List<PendingTensor> _tensors = [];
    private readonly HashSet<string> _tensorNames = new(StringComparer.Ordinal);
    private int _alignment = GgufLimits.DefaultAlignment;

    /// <summary>Creates a writer for GGUF <paramref name="version"/> (2 or 3; the encodings are identical).</summary>
    public GgufWriter(uint version = 3)
    {
        if (version < GgufLimits.MinVersion || version > GgufLimits.MaxVersion)
            throw new ArgumentOutOfRangeException(nameof(version), version, $"Only GGUF versions {GgufLimits.MinVersion} and {GgufLimits.MaxVersion} can be written.");
        Version = version;
    }

    public uint Version { get; }

    /// <summary>The data alignment, from <c>general.alignment</c> when it has been added (default 32).</summary>
    public int Alignment => _alignment;

    /// <summary>Adds a metadata entry; a repeated key throws <see cref="ArgumentException"/>.</summary>
    public void Add(string key, GgufValue value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        if (key == GgufKeys.GeneralAlignment)
            _alignment = ValidateAlignment(value);
        if (!_keys.Add(key))
            throw new ArgumentException($"Metadata key '{key}' was already added.", nameof(key));
        _metadata.Add(new(key, value));
    }

    public void Add(string key, string value) => Add(key, GgufValue.FromString(value));
    public void Add(string key, uint value) => Add(key, GgufValue.FromUInt32(value));
    public void Add(string key, int value) => Add(key, GgufValue.FromInt32(value));
    public void Add(string key, ulong value) => Add(key, GgufValue.FromUInt64(value));
    public void Add(string key, long value) => Add(key, GgufValue.FromInt64(value));
    public void Add(string key, float value) => Add(key, GgufValue.FromSingle(value));
    public void Add(string key, double value) => Add(key, GgufValue.FromDouble(value));
    public void Add(string key, bool value) => Add(key, GgufValue.FromBool(value));
    public void Add(string key, string[] value) => Add(key, GgufValue.FromStringArray(value));
    public void Add(string key, float[] value) => Add(key, GgufValue.FromSingleArray(value));
    public void Add(string key, int[] value) => Add(key, GgufValue.FromInt32Array(value));

    /// <summary>Adds every entry of <paramref name="metadata"/> in order (e.g. to re-write a file).</summary>
    public void AddAll(IEnumerable<KeyValuePair<string, GgufValue>> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        foreach (var (key, value) in metadata)
            Add(key, value);
    }

    /// <summary>
    /// Adds a tensor. <paramref name="dimensions"/> has <c>ne0</c> (contiguous) first; the data must
    /// be exactly the tensor's byte size (<see cref="GgmlTypeInfo.RowBytes"/> times the row count).
    /// The memory is read during <see cref="Write(Stream)"/>, so keep it alive and unchanged until then.
    /// </summary>
    public void AddTensor(string name, GgmlType type, long[] dimensions, ReadOnlyMemory<byte> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(dimensions);
        if (Encoding.UTF8.GetByteCount(name) > GgufLimits.MaxTensorNameBytes)
            throw new ArgumentException($"Tensor name '{name}' is longer than {GgufLimits.MaxTensorNameBytes} UTF-8 bytes.", nameof(name));
        string? problem = GgufTensorInfo.TryComputeSize(type, dimensions, out long elementCount, out long byteSize);
        if (problem != null)
            throw new ArgumentException($"Tensor '{name}': {problem}.", nameof(dimensions));
        if (data.Length != byteSize)
        {
            throw new ArgumentException(
                $"Tensor '{name}' ({type}, [{string.Join(", ", dimensions)}]) needs {byteSize} bytes of data but {data.Length} were given.", nameof(data));
        }
        if (!_tensorNames.Add(name))
            throw new ArgumentException($"Tensor '{name}' was already added.", nameof(name));
        _tensors.Add(new PendingTensor(name, type, (long[])dimensions.Clone(), data, elementCount));
    }

    /// <summary>Writes the file to <paramref name="stream"/> (which need not be seekable).</summary>
    public void Write(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("GGUF writing needs a little-endian machine.");
        var writer = new GgufStreamWriter(stream);
        writer.WriteUInt32(GgufLimits.Magic);
        writer.WriteUInt32(Version);
        writer.WriteUInt64((ulong)_tensors.Count);
        writer.WriteUInt64((ulong)_metadata.Count);
        foreach (var (key, value) in _metadata)
        {
            writer.WriteString(key);
            GgufValueWriter.Write(writer, value);
        }
        WriteTensorInfos(writer);
        // No tensors, no data section: llama.cpp's vocab-only files end right after the metadata.
        if (_tensors.Count > 0)
            writer.Pad(_alignment);
        foreach (var tensor in _tensors)
        {
            writer.WriteBytes(tensor.Data.Span);
            writer.Pad(_alignment);
        }
        writer.Flush();
        stream.Flush();
    }

    /// <summary>Writes the file to <paramref name="path"/> via a temporary file, so a failure leaves no partial file.</summary>
    public void Write(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string temporary = path + ".partial";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                Write(stream);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }

    private void WriteTensorInfos(GgufStreamWriter writer)
    {
        ulong offset = 0;
        foreach (var tensor in _tensors)
        {
            writer.WriteString(tensor.Name);
            writer.WriteUInt32((uint)tensor.Dimensions.Length);
            foreach (long dimension in tensor.Dimensions)
                writer.WriteUInt64((ulong)dimension);
            writer.WriteUInt32((uint)tensor.Type);
            writer.WriteUInt64(offset);
            offset += (ulong)GgufParser.AlignUp(tensor.Data.Length, _alignment);
        }
    }

    private static int ValidateAlignment(GgufValue value)
    {
        if (value.Type != GgufValueType.UInt32)
            throw new ArgumentException($"'{GgufKeys.GeneralAlignment}' must be UInt32, not {value.TypeName}.", nameof(value));
        uint alignment = (uint)value.Value;
        if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment > 1u << 30)
            throw new ArgumentException($"'{GgufKeys.GeneralAlignment}' is {alignment}; it must be a power of two no larger than 2^30.", nameof(value));
        return (int)alignment;
    }

    private sealed record PendingTensor(string Name, GgmlType Type, long[] Dimensions, ReadOnlyMemory<byte> Data, long ElementCount);
}
