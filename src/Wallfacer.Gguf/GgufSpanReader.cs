using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Wallfacer.Gguf;

/// <summary>
/// A bounds-checked little-endian cursor over the start of a GGUF file. Every read first checks the
/// bytes it needs are there, so a truncated or lying file ends in a <see cref="GgufFormatException"/>
/// naming the offset — never an out-of-range read or an allocation larger than the file.
/// </summary>
internal ref struct GgufSpanReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _data;
    private readonly long _fileLength;
    private readonly string? _filePath;

    /// <param name="data">The readable prefix of the file (all of it unless it exceeds 2 GiB).</param>
    /// <param name="fileLength">The whole file's length, for telling truncation from the 2 GiB span limit.</param>
    /// <param name="filePath">For error messages.</param>
    public GgufSpanReader(ReadOnlySpan<byte> data, long fileLength, string? filePath)
    {
        _data = data;
        _fileLength = fileLength;
        _filePath = filePath;
        Position = 0;
    }

    /// <summary>Offset of the next byte to read.</summary>
    public int Position { get; private set; }

    /// <summary>Bytes left in the readable prefix.</summary>
    public readonly long Remaining => _data.Length - Position;

    public readonly GgufFormatException Error(string reason, long offset) => new(reason, offset, _filePath);

    public readonly GgufFormatException Error(string reason) => new(reason, Position, _filePath);

    /// <summary>Throws unless <paramref name="count"/> more bytes can be read.</summary>
    public readonly void Require(ulong count, string what)
    {
        if (count <= (ulong)Remaining)
            return;
        if ((ulong)Position + count <= (ulong)_fileLength)
            throw Error($"{what} extends past the first 2 GiB of the file; metadata that large is not supported");
        throw Error($"unexpected end of file: {what} needs {count} bytes but only {Remaining} remain");
    }

    public uint ReadUInt32(string what)
    {
        Require(4, what);
        uint value = BinaryPrimitives.ReadUInt32LittleEndian(_data[Position..]);
        Position += 4;
        return value;
    }

    public ulong ReadUInt64(string what)
    {
        Require(8, what);
        ulong value = BinaryPrimitives.ReadUInt64LittleEndian(_data[Position..]);
        Position += 8;
        return value;
    }

    public ReadOnlySpan<byte> ReadBytes(ulong count, string what)
    {
        Require(count, what);
        var bytes = _data.Slice(Position, (int)count);
        Position += (int)count;
        return bytes;
    }

    /// <summary>Reads <paramref name="count"/> fixed-size little-endian values into a new array.</summary>
    public T[] ReadArray<T>(ulong count, string what) where T : unmanaged
    {
        ulong size = (ulong)Marshal.SizeOf<T>();
        if (count > (ulong)Remaining / size)
            throw Error($"unexpected end of file: {what} needs {count} x {size} bytes but only {Remaining} remain");
        return MemoryMarshal.Cast<byte, T>(ReadBytes(count * size, what)).ToArray();
    }

    /// <summary>Reads a GGUF string: a uint64 byte length, then that many bytes of UTF-8 (validated).</summary>
    public string ReadString(string what) => ReadString(what, null, 0);

    /// <summary>Reads element <paramref name="index"/> of string array <paramref name="arrayKey"/>.</summary>
    /// <remarks>The description is only formatted on error: vocabularies hold hundreds of thousands of strings.</remarks>
    public string ReadArrayString(string arrayKey, int index) => ReadString(null, arrayKey, index);

    private string ReadString(string? what, string? arrayKey, int index)
    {
        int start = Position;
        if (Remaining >= 8)
        {
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(_data[Position..]);
            if (length <= (ulong)(Remaining - 8))
            {
                var bytes = _data.Slice(start + 8, (int)length);
                Position = start + 8 + (int)length;
                return DecodeUtf8(bytes, start, what, arrayKey, index);
            }
            string description = what ?? $"element {index} of array '{arrayKey}'";
            if (length <= (ulong)(_fileLength - start - 8))
                throw Error($"{description} extends past the first 2 GiB of the file; metadata that large is not supported");
            throw Error($"{description} claims {length} bytes but only {Remaining - 8} remain in the file");
        }
        Require(8, $"the length of {what ?? $"element {index} of array '{arrayKey}'"}");
        throw new InvalidOperationException("unreachable");
    }

    private readonly string DecodeUtf8(ReadOnlySpan<byte> bytes, int start, string? what, string? arrayKey, int index)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            int bad = FirstInvalidUtf8Index(bytes);
            what ??= $"element {index} of array '{arrayKey}'";
            throw new GgufFormatException($"{what} is not valid UTF-8 (bad byte 0x{bytes[bad]:X2})", start + 8 + bad, _filePath, e);
        }
    }

    private static int FirstInvalidUtf8Index(ReadOnlySpan<byte> bytes)
    {
        int index = 0;
        while (index < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[index..], out _, out int consumed) != System.Buffers.OperationStatus.Done)
                return index;
            index += consumed;
        }
        return 0;
    }
}
