namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// Per-thread room for a panel of weight rows copied row-major (<see cref="TokenTiles{TKernel}"/> over a layout its
/// tiles do not read directly, such as <see cref="Q8_0Grouped"/>).
/// </summary>
internal static unsafe class PanelRows
{
    [ThreadStatic] private static byte[]? t_buffer;
    [ThreadStatic] private static nuint t_start;

    /// <summary>
    /// Room for <paramref name="bytes"/> bytes, 64-byte aligned, owned by the calling thread until its next call (grown,
    /// never shrunk; on the pinned heap, so the address stays).
    /// </summary>
    public static byte* Rent(long bytes)
    {
        long length = bytes + 64;
        if (t_buffer is null || t_buffer.Length < length)
        {
            t_buffer = GC.AllocateUninitializedArray<byte>(checked((int)length), pinned: true);
            fixed (byte* p = t_buffer)
                t_start = ((nuint)p + 63) & ~(nuint)63;
        }
        return (byte*)t_start;
    }
}
