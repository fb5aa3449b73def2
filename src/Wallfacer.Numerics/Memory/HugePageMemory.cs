using System.Runtime.InteropServices;

namespace Wallfacer.Numerics.Memory;

/// <summary>
/// Native memory for large, long-lived buffers that kernels stream through (weights re-laid at load). Ordinary
/// 64-byte-aligned native memory by default; with <c>WALLFACER_HUGE_PAGES=1</c>, on Linux, an anonymous mapping aligned
/// to 2 MiB and advised for transparent huge pages.
/// </summary>
/// <remarks>
/// Why it exists: streaming reads over 4 KiB pages pay a page walk every 4 KiB and the hardware prefetchers stop at
/// each page boundary. On the AMD Zen 3 bench machine a C loop summing 1.3 GB read 19–20 GB/s over 4 KiB pages and
/// 22.7–23.2 over 2 MiB pages (the weights' file mapping gets 2 MiB pages there where the page cache holds large
/// folios). Distributions commonly set THP to "madvise", so without the advice an anonymous buffer gets 4 KiB pages.
/// Only whole 2 MiB pages inside the buffer are advised: a tail rounded up to a huge page would add up to 2 MiB of
/// resident memory per matrix.
/// <para>
/// Why it is off by default: the cost is at first touch and depends on the host. On the bench VM (which hands free
/// 2 MiB blocks back to its host) a fresh huge page faults in at ~2.5 ms: 600 MB took 1.6 s against 0.33 s over 4 KiB
/// pages. In a side-by-side run (5 pairs) one-thread generation gained up to 9% on some rows (Qwen2.5-0.5B Q4_0 ×1.18
/// → ×1.29 against llama.cpp) and nothing on others, while load → first token grew by 0.5–2.8 s (Llama-3.2-1B Q4_0
/// ×0.68 → ×0.98, MiniCPM-2B Q4_0 at two threads ×0.64 → ×0.99). On machines whose fresh memory is cheap (bare metal),
/// a long-running server is where to turn it on.
/// </para>
/// </remarks>
internal static unsafe partial class HugePageMemory
{
    private const nuint HugePage = 2 << 20;
    private const int ProtRead = 1, ProtWrite = 2, MapPrivate = 0x02, MapAnonymous = 0x20, MadvHugePage = 14;
    private static readonly nint MapFailed = -1;

    /// <summary>True when the environment says <c>WALLFACER_HUGE_PAGES=1</c>.</summary>
    public static bool Enabled { get; } = Environment.GetEnvironmentVariable("WALLFACER_HUGE_PAGES") == "1";

    /// <summary>A buffer of at least <paramref name="bytes"/> bytes, 64-byte aligned at least, on huge pages if <see cref="Enabled"/>; free it with <see cref="Free"/>.</summary>
    public static Buffer Allocate(long bytes) => Allocate(bytes, Enabled);

    /// <summary><see cref="Allocate(long)"/> with the choice made by the caller (tests exercise both kinds).</summary>
    internal static Buffer Allocate(long bytes, bool hugePages)
    {
        nuint size = (nuint)Math.Max(bytes, 1);
        if (hugePages && OperatingSystem.IsLinux() && size >= HugePage)
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
