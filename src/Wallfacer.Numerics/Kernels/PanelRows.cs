namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// Per-thread room for a panel of weight rows copied row-major (<see cref="TokenTiles{TKernel}"/> over a layout its
/// tiles do not read directly, such as <see cref="Q8_0Grouped"/>).
/// </summary>
internal static unsafe class PanelRows
{
    [ThreadStatic] private static PinnedRoom t_room;

    /// <summary>
    /// Room for <paramref name="bytes"/> bytes, 64-byte aligned, owned by the calling thread until its next call (grown,
    /// never shrunk; on the pinned heap, so the address stays).
    /// </summary>
    public static byte* Rent(long bytes) => t_room.Rent(bytes, 64);
}
