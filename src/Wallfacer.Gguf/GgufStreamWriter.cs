using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Wallfacer.Gguf;

/// <summary>
/// Little-endian GGUF encoding onto a forward-only stream, with a small buffer and a running
/// position (for padding). Large spans (tensor data) go straight to the stream.
/// </summary>
internal sealed class GgufStreamWriter(Stream stream)
{
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _used;

    /// <summary>Bytes written so far (the file offset of the next byte).</summary>
    public long Position { get; private set; }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);
        Commit(4);
    }

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);
        Commit(8);
    }

    public void WriteByte(byte value)
    {
        Reserve(1)[0] = value;
        Commit(1);
    }

    /// <summary>A GGUF string: uint64 byte length, then UTF-8 bytes.</summary>
    public void WriteString(string value)
    {
        int byteCount = Encoding.UTF8.GetByteCount(value);
        WriteUInt64((ulong)byteCount);
        if (byteCount <= _buffer.Length)
        {
            Encoding.UTF8.GetBytes(value, Reserve(byteCount));
            Commit(byteCount);
        }
        else
        {
            WriteBytes(Encoding.UTF8.GetBytes(value));
        }
    }

    /// <summary>The elements of a blittable array, little-endian, as one block.</summary>
    public void WriteArray<T>(T[] values) where T : unmanaged => WriteBytes(MemoryMarshal.AsBytes(values.AsSpan()));

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length <= _buffer.Length - _used)
        {
            bytes.CopyTo(_buffer.AsSpan(_used));
            Commit(bytes.Length);
            return;
        }
        Flush();
        stream.Write(bytes);
        Position += bytes.Length;
    }

    /// <summary>Writes zeros up to the next multiple of <paramref name="alignment"/>.</summary>
    public void Pad(int alignment)
    {
        long padding = GgufParser.AlignUp(Position, alignment) - Position;
        while (padding > 0)
        {
            int chunk = (int)Math.Min(padding, _buffer.Length);
            Reserve(chunk).Clear();
            Commit(chunk);
            padding -= chunk;
        }
    }

    public void Flush()
    {
        if (_used > 0)
            stream.Write(_buffer, 0, _used);
        _used = 0;
    }

    private Span<byte> Reserve(int count)
    {
        if (_buffer.Length - _used < count)
            Flush();
        return _buffer.AsSpan(_used, count);
    }

    private void Commit(int count)
    {
        _used += count;
        Position += count;
    }
}
