using Wallfacer.Numerics.Threading;

namespace Wallfacer.TestSupport;

/// <summary>
/// Reads every pool thread's own allocation counter (<see cref="GC.GetAllocatedBytesForCurrentThread"/>; the
/// process-wide one would count tests running beside the caller): one item per thread, each holding its thread
/// until all have checked in, so every thread takes exactly one.
/// </summary>
public sealed class PoolAllocationProbe(int threads) : IParallelWork
{
    private long[] _bytes = [];
    private int _arrived;

    /// <summary>Fills <paramref name="bytes"/> (one per pool thread) without allocating; -1 marks a thread that did not check in.</summary>
    public void Read(WorkerPool pool, long[] bytes)
    {
        Array.Fill(bytes, -1);
        _bytes = bytes;
        _arrived = 0;
        pool.Run(this, threads);
    }

    public void Execute(int worker, int start, int end)
    {
        _bytes[worker] = GC.GetAllocatedBytesForCurrentThread();
        Interlocked.Increment(ref _arrived);
        long deadline = Environment.TickCount64 + 10_000;
        while (Volatile.Read(ref _arrived) < threads && Environment.TickCount64 < deadline)
            Thread.SpinWait(10);
    }
}
