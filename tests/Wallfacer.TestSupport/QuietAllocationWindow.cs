using Wallfacer.Numerics.Threading;
using Xunit.Sdk;

namespace Wallfacer.TestSupport;

/// <summary>
/// Measures what a window of work allocates, per thread, counting only windows during which the garbage collector
/// did not pause the process.
/// <para>
/// Why: <see cref="GC.GetAllocatedBytesForCurrentThread"/> is exact while no collection runs, but when a background
/// collection retires a thread's allocation context, the unused rest of that context (up to about 8 KB) is counted
/// as allocated. A thread that allocates nothing then shows 1–8 KB whenever another test in the process makes the
/// collector run (measured: a spinning thread beside forced background collections read 900–8,100 phantom bytes in
/// 22 of 500 windows, every one of them a window with a collector pause; `ThreadedAllocationTests` failed this way in
/// CI). Code that allocates in steady state allocates in every window, so a window without a pause still catches it.
/// </para>
/// </summary>
public static class QuietAllocationWindow
{
    /// <summary>Windows tried before giving up: collections are rare next to a window of a few milliseconds.</summary>
    public const int Attempts = 20;

    /// <summary>Bytes <paramref name="window"/> allocated on the calling thread, from the first window without a collector pause.</summary>
    public static long OnThisThread(Action window)
    {
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            var mark = CollectorMark.Now();
            long before = GC.GetAllocatedBytesForCurrentThread();
            window();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (!mark.PausedSince())
                return allocated;
        }
        throw NoQuietWindow();
    }

    /// <summary>
    /// Bytes <paramref name="window"/> allocated on each of <paramref name="pool"/>'s threads (index = worker, the
    /// caller is worker 0), from the first window without a collector pause.
    /// </summary>
    public static long[] OnPool(WorkerPool pool, Action window)
    {
        int threads = pool.ThreadCount;
        var probe = new PoolAllocationProbe(threads);
        long[] before = new long[threads], after = new long[threads], allocated = new long[threads];
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            var mark = CollectorMark.Now();
            probe.Read(pool, before);
            window();
            probe.Read(pool, after);
            if (mark.PausedSince())
                continue;
            for (int w = 0; w < threads; w++)
            {
                if (before[w] < 0 || after[w] < 0)
                    throw new XunitException($"worker {w} missed the allocation probe");
                allocated[w] = after[w] - before[w];
            }
            return allocated;
        }
        throw NoQuietWindow();
    }

    private static XunitException NoQuietWindow() =>
        new($"the garbage collector paused the process during each of {Attempts} measuring windows; no exact reading was possible");

    /// <summary>The collector's pause total and collection count at one moment.</summary>
    private readonly record struct CollectorMark(TimeSpan Paused, int Collections)
    {
        public static CollectorMark Now() => new(GC.GetTotalPauseDuration(), GC.CollectionCount(0));

        public bool PausedSince() => GC.GetTotalPauseDuration() != Paused || GC.CollectionCount(0) != Collections;
    }
}
