using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace Wallfacer.Gguf;

/// <summary>
/// An open GGUF file: its metadata and tensor table, parsed and validated up front, and its tensor
/// data as zero-copy views into a read-only memory mapping (or a pinned array for
/// <see cref="Parse"/>). Views are valid until <see cref="Dispose"/>.
/// </summary>
public sealed unsafe class GgufFile : IDisposable
{
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private GCHandle _pin;
    private byte* _base;
    private readonly Dictionary<string, GgufTensorInfo> _tensorsByName;
    private Microsoft.Win32.SafeHandles.SafeFileHandle? _readHandle; // for ReadTensorData, opened on first use

    private GgufFile(string? filePath, long fileLength, byte* basePointer, MemoryMappedFile? map,
        MemoryMappedViewAccessor? view, GCHandle pin)
    {
        FilePath = filePath;
        FileLength = fileLength;
        _base = basePointer;
        _map = map;
        _view = view;
        _pin = pin;
        var layout = GgufParser.Parse(new ReadOnlySpan<byte>(basePointer, (int)Math.Min(fileLength, int.MaxValue)), fileLength, filePath);
        Version = layout.Version;
        Metadata = layout.Metadata;
        Tensors = layout.Tensors;
        Alignment = layout.Alignment;
        DataOffset = layout.DataOffset;
        _tensorsByName = layout.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The path given to <see cref="Open"/>, or the name given to <see cref="Parse"/>.</summary>
    public string? FilePath { get; }

    /// <summary>GGUF version (2 or 3).</summary>
    public uint Version { get; }

    public GgufMetadata Metadata { get; }

    /// <summary>Tensor infos in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>Alignment of the data section and of every tensor in it (<c>general.alignment</c>, default 32).</summary>
    public int Alignment { get; }

    /// <summary>File offset where the data section starts (tensor offsets are relative to it).</summary>
    public long DataOffset { get; }

    public long FileLength { get; }

    /// <summary>The model architecture (<c>general.architecture</c>).</summary>
    public string Architecture => Metadata.GetString(GgufKeys.GeneralArchitecture);

    /// <summary>Memory-maps <paramref name="path"/> read-only and parses its header, metadata and tensor infos.</summary>
    public static GgufFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.RandomAccess);
        long length = stream.Length;
        if (length == 0)
        {
            stream.Dispose();
            return new GgufFile(path, 0, null, null, null, default); // throws: the parser reports the empty file
        }
        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        byte* pointer = null;
        try
        {
            map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            return new GgufFile(path, length, pointer + view.PointerOffset, map, view, default);
        }
        catch
        {
            if (pointer != null)
                view!.SafeMemoryMappedViewHandle.ReleasePointer();
            view?.Dispose();
            if (map != null)
                map.Dispose();
            else
                stream.Dispose();
            throw;
        }
    }

    /// <summary>Parses a GGUF file held in memory (the array is pinned until <see cref="Dispose"/>).</summary>
    public static GgufFile Parse(byte[] bytes, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return Parse(bytes, bytes.Length, name);
    }

    /// <summary>Parses the first <paramref name="length"/> bytes of <paramref name="bytes"/> as a whole file (lets tests reuse one buffer).</summary>
    internal static GgufFile Parse(byte[] bytes, int length, string? name)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, (uint)bytes.Length, nameof(length));
        var pin = GCHandle.Alloc(bytes, GCHandleType.Pinned);
        try
        {
            return new GgufFile(name, length, (byte*)pin.AddrOfPinnedObject(), null, null, pin);
        }
        catch
        {
            pin.Free();
            throw;
        }
    }

    public GgufTensorInfo? FindTensor(string name) => _tensorsByName.GetValueOrDefault(name);

    /// <summary>The tensor called <paramref name="name"/>; throws <see cref="KeyNotFoundException"/> naming it.</summary>
    public GgufTensorInfo GetTensor(string name) => FindTensor(name)
        ?? throw new KeyNotFoundException($"{FilePath ?? "<gguf>"}: there is no tensor named '{name}' (the file has {Tensors.Count} tensors).");

    /// <summary>
    /// The tensor's data, zero-copy. A span cannot exceed 2 GiB; use <see cref="GetTensorPointer"/> for larger tensors.
    /// </summary>
    public ReadOnlySpan<byte> GetTensorBytes(GgufTensorInfo tensor)
    {
        byte* pointer = GetTensorPointer(tensor);
        if (tensor.ByteSize > int.MaxValue)
        {
            throw new InvalidOperationException(
                $"Tensor '{tensor.Name}' is {tensor.ByteSize} bytes; a span is limited to 2 GiB, so use GetTensorPointer for it.");
        }
        return new ReadOnlySpan<byte>(pointer, (int)tensor.ByteSize);
    }

    /// <summary>The tensor's data as memory (zero-copy; valid while the file is open), e.g. for <see cref="GgufWriter.AddTensor"/>.</summary>
    public ReadOnlyMemory<byte> GetTensorMemory(GgufTensorInfo tensor)
    {
        _ = GetTensorBytes(tensor);
        return new UnmanagedMemoryManager(GetTensorPointer(tensor), (int)tensor.ByteSize).Memory;
    }

    /// <summary>A pointer to the tensor's data (zero-copy, bounds-checked); valid while the file is open.</summary>
    public byte* GetTensorPointer(GgufTensorInfo tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ObjectDisposedException.ThrowIf(_base == null, this);
        if (!_tensorsByName.TryGetValue(tensor.Name, out var own) || own != tensor)
            throw new ArgumentException($"Tensor '{tensor.Name}' does not belong to {FilePath ?? "this file"}.", nameof(tensor));
        // The parser proved the tensor lies within the file; this re-check guards the pointer arithmetic.
        long start = DataOffset + (long)tensor.Offset;
        if (start < DataOffset || tensor.ByteSize > FileLength - start)
            throw new InvalidOperationException($"Tensor '{tensor.Name}' lies outside the file.");
        return _base + start;
    }

    /// <summary>
    /// Copies <paramref name="destination"/>.Length bytes of <paramref name="tensor"/>'s data from
    /// <paramref name="offset"/> (within the tensor) with plain file reads, not through the mapping: a caller that
    /// converts the weights into another layout reads them without making the mapped pages resident, so the model is
    /// not held twice. Thread-safe. An in-memory file (<see cref="Parse(byte[], string?)"/>) is simply copied.
    /// </summary>
    public void ReadTensorData(GgufTensorInfo tensor, long offset, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_base == null, this);
        if (offset < 0 || destination.Length > tensor.ByteSize - offset)
            throw new ArgumentOutOfRangeException(nameof(offset), $"Bytes {offset}..{offset + destination.Length} lie outside tensor '{tensor.Name}' ({tensor.ByteSize} bytes).");
        long start = GetTensorPointer(tensor) - _base + offset;
        if (_map is null || FilePath is null)
        {
            new ReadOnlySpan<byte>(_base + start, destination.Length).CopyTo(destination);
            return;
        }
        var handle = LazyInitializer.EnsureInitialized(ref _readHandle,
            () => File.OpenHandle(FilePath, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess));
        while (!destination.IsEmpty)
        {
            int read = RandomAccess.Read(handle, destination, start);
            if (read <= 0)
                throw new EndOfStreamException($"{FilePath}: the file ended at {start} bytes while reading tensor '{tensor.Name}' (was it truncated while open?).");
            destination = destination[read..];
            start += read;
        }
    }

    /// <summary>
    /// Reads one byte of every page of the tensor data so the operating system maps it in now rather than on
    /// first use (llama.cpp's prefetch): loading stays metadata-only by default, and a caller that wants the
    /// first token fast on a cold cache — or wants the weights resident before serving — asks for this.
    /// Runs on <paramref name="threads"/> threads; <paramref name="progress"/> receives the fraction done.
    /// </summary>
    public void TouchData(int threads = 1, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_base == null, this);
        const long Page = 4096, Chunk = 64L << 20; // 64 MiB per work item
        long length = FileLength - DataOffset;
        long chunks = (length + Chunk - 1) / Chunk;
        long done = 0;
        byte* data = _base + DataOffset;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads), CancellationToken = cancellationToken };
        Parallel.For(0L, chunks, options, chunk =>
        {
            long start = chunk * Chunk, end = Math.Min(length, start + Chunk);
            int sum = 0;
            for (long offset = start; offset < end; offset += Page)
                sum += Volatile.Read(ref data[offset]);
            GC.KeepAlive(sum);
            progress?.Report((double)Interlocked.Increment(ref done) / chunks);
        });
    }

    public void Dispose()
    {
        if (_base == null)
            return;
        _base = null;
        if (_view != null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _map?.Dispose();
        _readHandle?.Dispose();
        if (_pin.IsAllocated)
            _pin.Free();
    }
}
