using System.Buffers;

namespace Wallfacer.Gguf;

/// <summary>Exposes a range of mapped file memory as <see cref="Memory{T}"/>; the owner keeps the memory alive.</summary>
internal sealed unsafe class UnmanagedMemoryManager(byte* pointer, int length) : MemoryManager<byte>
{
    public override Span<byte> GetSpan() => new(pointer, length);

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, length);
        return new MemoryHandle(pointer + elementIndex);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
