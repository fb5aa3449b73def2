using System.Diagnostics;

namespace Wallfacer.Numerics.Threading;

/// <summary>
/// A fixed set of worker threads that run one <see cref="IParallelWork"/> at a time, split into
/// contiguous ranges. The calling thread is worker 0, so a pool of one thread runs everything inline.
/// Workers spin briefly between jobs (a token's forward pass dispatches hundreds of small jobs in a
/// row) and then sleep, so an idle pool costs no CPU. Dispatch allocates nothing.
/// </summary>
public sealed class WorkerPool : IDisposable
{
    /// <summary>
    /// Waits a worker makes between jobs before it sleeps. <see cref="SpinWait.SpinOnce(int)"/> spins briefly and
    /// then yields the processor on each call, so a pool on an oversubscribed machine hands its core to whoever
    /// holds the work instead of burning its time slice (a pure busy-wait made a 2-thread pool ten times slower
    /// than one thread while another process was running).
    /// </summary>
    private const int SpinsBeforeSleep = 2_000;

    private readonly Thread[] _threads;
    private readonly object _gate = new();
    private IParallelWork? _work;
    private int _itemCount;
    private long _generation;          // bumped for every job; workers wait for a change
    private int _pending;              // workers still running the current job
    private volatile bool _disposed;
    private Exception? _failure;

    /// <summary>Creates a pool of <paramref name="threadCount"/> threads including the caller.</summary>
    public WorkerPool(int threadCount)
    {
        if (threadCount < 1)
            throw new ArgumentOutOfRangeException(nameof(threadCount), threadCount, "A pool needs at least one thread.");
        ThreadCount = threadCount;
        _threads = new Thread[threadCount - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            int worker = i + 1;
            _threads[i] = new Thread(() => WorkerLoop(worker)) { IsBackground = true, Name = $"wallfacer-worker-{worker}" };
            _threads[i].Start();
        }
    }

    /// <summary>Number of threads that share each job, the caller included.</summary>
    public int ThreadCount { get; }

    /// <summary>The default thread count: the number of processors the runtime may use.</summary>
    public static int DefaultThreadCount => Environment.ProcessorCount;

    /// <summary>Runs <paramref name="work"/> over <paramref name="itemCount"/> items and returns when all are done.</summary>
    public void Run(IParallelWork work, int itemCount)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (itemCount <= 0)
            return;
        if (ThreadCount == 1 || itemCount == 1)
        {
            work.Execute(0, 0, itemCount);
            return;
        }

        _work = work;
        _itemCount = itemCount;
        _failure = null;
        Volatile.Write(ref _pending, _threads.Length);
        lock (_gate)
        {
            Interlocked.Increment(ref _generation);
            Monitor.PulseAll(_gate);
        }

        RunShare(0);
        WaitForWorkers();
        _work = null;
        if (_failure is { } failure)
            throw new AggregateException("A worker thread failed.", failure);
    }

    private void RunShare(int worker)
    {
        var (start, end) = Split(_itemCount, ThreadCount, worker);
        if (start < end)
            _work!.Execute(worker, start, end);
    }

    /// <summary>The contiguous share of <paramref name="count"/> items that worker <paramref name="worker"/> runs.</summary>
    public static (int Start, int End) Split(int count, int workers, int worker)
    {
        int baseSize = count / workers, extra = count % workers;
        int start = worker * baseSize + Math.Min(worker, extra);
        int size = baseSize + (worker < extra ? 1 : 0);
        return (start, start + size);
    }

    private void WaitForWorkers()
    {
        var spinner = new SpinWait();
        while (Volatile.Read(ref _pending) != 0)
            spinner.SpinOnce(sleep1Threshold: -1);
    }

    private void WorkerLoop(int worker)
    {
        long seen = 0;
        while (true)
        {
            seen = WaitForNextJob(seen);
            if (_disposed)
                return;
            try
            {
                RunShare(worker);
            }
            catch (Exception ex)
            {
                _failure = ex;
            }
            Interlocked.Decrement(ref _pending);
        }
    }

    private long WaitForNextJob(long seen)
    {
        var spinner = new SpinWait();
        for (int i = 0; i < SpinsBeforeSleep; i++)
        {
            long current = Volatile.Read(ref _generation);
            if (current != seen || _disposed)
                return current;
            spinner.SpinOnce(sleep1Threshold: -1);
        }
        lock (_gate)
        {
            while (Volatile.Read(ref _generation) == seen && !_disposed)
                Monitor.Wait(_gate);
            return Volatile.Read(ref _generation);
        }
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        lock (_gate)
            Monitor.PulseAll(_gate);
        foreach (var t in _threads)
            t.Join();
        Debug.Assert(_work == null);
    }
}
