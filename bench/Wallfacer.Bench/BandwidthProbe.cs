using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Wallfacer.Bench;

/// <summary>
/// The machine's read bandwidth (docs/benchmarks.md, "Bandwidth ceiling"): a plain sum of 64-bit words over a
/// 1 GiB buffer split evenly among the threads, best of several passes. The ceiling's buffer is 2 MiB-aligned and
/// advised for transparent huge pages (as the reference figures were taken). The same sum over a buffer advised
/// against them is reported beside it: both engines read their weights through ordinary 4 KiB pages, and the two
/// figures tell whether page size (TLB misses) or the kernels limit generation.
/// <para>
/// The accumulators must stay in registers: a call after the loop (a timer, a sum helper the JIT does not inline)
/// made the JIT keep four vectors that are live across it on the stack, and such a loop measured ~20 GB/s where
/// this one measures 35–39 — which once passed for a 4 KiB-page limit.
/// </para>
/// </summary>
internal static unsafe partial class BandwidthProbe
{
    private const nuint BufferBytes = 1u << 30;
    private const nuint HugePage = 2u << 20;
    private const int MadviseHugePage = 14;   // MADV_HUGEPAGE, linux/mman.h
    private const int MadviseNoHugePage = 15; // MADV_NOHUGEPAGE
    private static ulong s_sink;

    /// <summary>
    /// Bytes per second for each of <paramref name="threadCounts"/>; <paramref name="hugePageBytes"/> is how much of
    /// the process's anonymous memory the kernel backed with huge pages meanwhile (null off Linux), since a
    /// buffer that did not get them reads slower. <paramref name="hugePages"/> false advises against them instead.
    /// </summary>
    public static Dictionary<int, double> Measure(IEnumerable<int> threadCounts, out long? hugePageBytes, bool hugePages = true, int passes = 5)
    {
        byte* buffer = (byte*)NativeMemory.AlignedAlloc(BufferBytes, HugePage);
        try
        {
            if (OperatingSystem.IsLinux()) // best effort: fine if THP is off
                _ = Madvise(buffer, BufferBytes, hugePages ? MadviseHugePage : MadviseNoHugePage);
            NativeMemory.Fill(buffer, BufferBytes, 1);
            hugePageBytes = AnonymousHugePageBytes();
            var result = new Dictionary<int, double>();
            foreach (int threads in threadCounts.Distinct())
            {
                double best = 0;
                for (int pass = 0; pass < passes; pass++)
                    best = Math.Max(best, OnePass(buffer, threads));
                result[threads] = best;
            }
            return result;
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
        }
    }

    /// <summary><c>AnonHugePages</c> of /proc/self/smaps_rollup, in bytes.</summary>
    private static long? AnonymousHugePageBytes()
    {
        const string path = "/proc/self/smaps_rollup";
        if (!File.Exists(path))
            return null;
        string? line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("AnonHugePages:", StringComparison.Ordinal));
        string[] parts = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        return parts.Length >= 2 && long.TryParse(parts[1], out long kib) ? kib * 1024 : null;
    }

    private static double OnePass(byte* buffer, int threads)
    {
        nuint share = BufferBytes / (nuint)threads / 256 * 256;
        var workers = new Thread[threads];
        var sums = new ulong[threads];
        nint start = (nint)buffer;
        for (int t = 0; t < threads; t++)
        {
            int index = t;
            workers[t] = new Thread(() => sums[index] = Sum((byte*)start + (nuint)index * share, share));
        }
        long begin = Stopwatch.GetTimestamp();
        foreach (var worker in workers)
            worker.Start();
        foreach (var worker in workers)
            worker.Join();
        double seconds = Stopwatch.GetElapsedTime(begin).TotalSeconds;
        s_sink += sums.Aggregate(0ul, (a, b) => a + b); // keeps the sums observable
        return share * (nuint)threads / seconds;
    }

    /// <summary>Sum of the 64-bit words in <paramref name="length"/> bytes (a multiple of 256), four accumulators deep.</summary>
    private static ulong Sum(byte* data, nuint length)
    {
        if (!Vector512.IsHardwareAccelerated)
            return SumVector256(data, length);
        Vector512<ulong> a0 = default, a1 = default, a2 = default, a3 = default;
        for (nuint i = 0; i < length; i += 256)
        {
            a0 += Vector512.Load((ulong*)(data + i));
            a1 += Vector512.Load((ulong*)(data + i + 64));
            a2 += Vector512.Load((ulong*)(data + i + 128));
            a3 += Vector512.Load((ulong*)(data + i + 192));
        }
        return Vector512.Sum(a0 + a1 + a2 + a3);
    }

    private static ulong SumVector256(byte* data, nuint length)
    {
        Vector256<ulong> a0 = default, a1 = default, a2 = default, a3 = default;
        for (nuint i = 0; i < length; i += 128)
        {
            a0 += Vector256.Load((ulong*)(data + i));
            a1 += Vector256.Load((ulong*)(data + i + 32));
            a2 += Vector256.Load((ulong*)(data + i + 64));
            a3 += Vector256.Load((ulong*)(data + i + 96));
        }
        return Vector256.Sum(a0 + a1 + a2 + a3);
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(void* address, nuint length, int advice);
}
