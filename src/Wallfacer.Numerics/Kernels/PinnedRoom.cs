namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// Aligned room on the pinned heap that grows and never shrinks, for a <c>[ThreadStatic]</c> field: the per-thread
/// scratch of the prompt tiles (<see cref="PanelScales"/>, <see cref="PanelRows"/>). Pinned, so the address stays
/// valid while the owner holds it; each owner keeps its own field, so two rooms never alias.
/// </summary>
internal unsafe struct PinnedRoom
{
    private byte[]? _buffer;
    private nuint _start;

    /// <summary>
    /// Room for <paramref name="bytes"/> bytes aligned to <paramref name="alignment"/> (a power of two), valid until the
    /// next call on this room.
    /// </summary>
    public byte* Rent(long bytes, int alignment)
    {
        long length = bytes + alignment;
        if (_buffer is null || _buffer.Length < length)
        {
            _buffer = GC.AllocateUninitializedArray<byte>(checked((int)length), pinned: true);
            fixed (byte* p = _buffer)
                _start = ((nuint)p + (nuint)alignment - 1) & ~((nuint)alignment - 1);
        }
        return (byte*)_start;
    }
}
