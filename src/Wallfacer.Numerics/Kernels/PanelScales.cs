namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// Per-thread room for the weight scales of a panel of rows widened to floats (<see cref="TokenTiles{TKernel}"/>): each
/// row's <c>blocks</c> scales, then zeros up to a whole chunk of eight, so a kernel loads any chunk as one vector.
/// </summary>
internal static unsafe class PanelScales
{
    private const int Chunk = 8;

    [ThreadStatic] private static PinnedRoom t_room;

    /// <summary>Floats per row for rows of <paramref name="blocks"/> blocks: whole chunks.</summary>
    public static int RowFloats(int blocks) => (blocks + Chunk - 1) / Chunk * Chunk;

    /// <summary>
    /// Room for <paramref name="floats"/> floats, 32-byte aligned, owned by the calling thread until its next call
    /// (grown, never shrunk; on the pinned heap, so the address stays).
    /// </summary>
    public static float* Rent(long floats) => (float*)t_room.Rent(floats * sizeof(float), 32);
}
