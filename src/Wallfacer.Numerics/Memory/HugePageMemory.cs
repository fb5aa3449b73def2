using System.Runtime.InteropServices;

namespace Wallfacer.Numerics.Memory;

/// <summary>
/// Native memory for large, long-lived buffers that kernels stream through (weights re-laid at load): on Linux an
/// anonymous mapping aligned to 2 MiB and advised for transparent huge pages, elsewhere (or if the mapping fails)
/// ordinary 64-byte-aligned native memory.
/// </summary>
/// <remarks>
/// Why: streaming reads over 4 KiB pages pay a page walk every 4 KiB and the hardware prefetchers stop at each page
/// boundary. Measured on the AMD Zen 3 bench machine (a C loop summing 1.3 GB with 32-byte loads): 19–20 GB/s over
/// 4 KiB pages, 22.7–23.2 over 2 MiB pages, the same as the weights' file mapping, which the kernel already maps with
/// 2 MiB pages there (ext4 large folios). Distributions commonly set THP to "madvise", so without the advice an
/// anonymous buffer gets 4 KiB pages. Only whole 2 MiB pages inside the buffer are advised: a tail rounded up to a
/// huge page would add up to 2 MiB of resident memory per matrix.
/// <para>
/// The cost is at first touch, and it depends on the host: on the bench VM (which hands free 2 MiB blocks back to its
/// host) a fresh huge page costs ~2.5 ms to fault in, so 600 MB took 1.6 s against 0.33 s over 4 KiB pages (0.06 s when
/// the huge pages were recycled). There a model's load grows by ~0.7 s per 300 MB re-laid, while generation gains
/// 3–10%. <c>WALLFACER_HUGE_PAGES=0</c> turns the advice off.
/// </para>
/// </remarks>
internal static unsafe partial class HugePageMemory
{
    private const nuint HugePage = 2 << 20;
    private const int ProtRead = 1, ProtWrite = 2, MapPrivate = 0x02, MapAnonymous = 0x20, MadvHugePage = 14;
    private static readonly nint MapFailed = -1;

    /// <summary>False when the environment says <c>WALLFACER_HUGE_PAGES=0</c>.</summary>
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("WALLFACER_HUGE_PAGES") != "0";

    /// <summary>A buffer of at least <paramref name="bytes"/> bytes, 64-byte aligned at least; free it with <see cref="Free"/>.</summary>
    public static Buffer Allocate(long bytes)
    {
        nuint size = (nuint)Math.Max(bytes, 1);
        if (Enabled && OperatingSystem.IsLinux() && size >= HugePage)
        {
            byte* mapped = MapAligned(size);
            if (mapped != null)
                return new Buffer(mapped, PageRounded(size));
        }
        return new Buffer((byte*)NativeMemory.AlignedAlloc(size, 64), 0);
    }

    /// <summary>Frees what <see cref="Allocate"/> returned.</summary>
    public static void Free(Buffer buffer)
    {
        if (buffer.MappedLength > 0)
            Unmap(buffer.Data, buffer.MappedLength);
        else
            NativeMemory.AlignedFree(buffer.Data);
    }

    /// <summary>An allocation: its first byte, and its mapping's length if it is a mapping of its own (else 0).</summary>
    public readonly struct Buffer(byte* data, nuint mappedLength)
    {
        public byte* Data { get; } = data;
        public nuint MappedLength { get; } = mappedLength;
    }

    private static byte* MapAligned(nuint size)
    {
        nuint kept = PageRounded(size), reserved = kept + HugePage;
        nint start = mmap(0, reserved, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        if (start == MapFailed || start == 0)
            return null;
        nuint first = (nuint)start, aligned = (first + HugePage - 1) & ~(HugePage - 1);
        if (aligned > first)
            Unmap((byte*)first, aligned - first);
        nuint end = first + reserved, keptEnd = aligned + kept;
        if (end > keptEnd)
            Unmap((byte*)keptEnd, end - keptEnd);
        nuint wholeHugePages = size & ~(HugePage - 1);
        _ = madvise((nint)aligned, wholeHugePages, MadvHugePage); // advice only: 4 KiB pages still work if refused
        return (byte*)aligned;
    }

    private static nuint PageRounded(nuint size)
    {
        nuint page = (nuint)Environment.SystemPageSize;
        return (size + page - 1) / page * page;
    }

    private static void Unmap(byte* data, nuint length) => _ = munmap((nint)data, length);

    [LibraryImport("libc.so.6")]
    private static partial nint mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc.so.6")]
    private static partial int munmap(nint address, nuint length);

    [LibraryImport("libc.so.6")]
    private static partial int madvise(nint address, nuint length, int advice);
}
