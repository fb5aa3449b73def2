using System.Diagnostics;

namespace Wallfacer.Numerics.Threading;

/// <summary>
/// A fixed set of worker threads that run one <see cref="IParallelWork"/> at a time. The calling thread is
/// worker 0, so a pool of one thread runs everything inline. Dispatch allocates nothing.
/// <para>
/// A generated token dispatches a few hundred jobs of 10–200 µs each, so the hand-off has to cost well under a
/// microsecond:
/// <list type="bullet">
/// <item>A job is published by writing one 64-bit <em>ticket</em> (job number, next chunk). Workers between jobs
/// spin on it with <c>pause</c> (<see cref="Thread.SpinWait(int)"/> of one iteration: the workers may be SMT
/// siblings of the caller, and a tight loop would take its issue slots) for a bounded time
/// (<see cref="SpinTicks"/>), then block on a monitor. The dispatcher takes that monitor only when a worker has
/// gone to sleep, so an idle pool costs no CPU and a busy one takes no lock.</item>
/// <item>The items are cut into chunks that threads claim with a compare-and-swap on the ticket, so a worker
/// that wakes late (or is preempted on an oversubscribed machine) simply claims fewer; both threads finish
/// together. The job is done when every chunk has been run; the dispatcher waits only for chunks already
/// claimed, never for a worker that has not woken yet.</item>
/// </list>
/// Which thread runs a chunk changes from run to run, but each item is computed by one thread in the work's
/// fixed order, so results do not depend on the thread count (design decision 4).
/// </para>
/// </summary>
public sealed class WorkerPool : IDisposable
{
    /// <summary>How long a worker spins for the next job before it blocks: a few sampling steps' worth.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 2_000; // 0.5 ms

    /// <summary>How long the dispatcher spins with <c>pause</c> for claimed chunks before it yields its time slice.</summary>
    private static readonly long CompletionSpinTicks = Stopwatch.Frequency / 20_000; // 50 µs

    /// <summary>Chunks per thread: enough to even out a late start, few enough that claiming stays cheap.</summary>
    private const int ChunksPerThread = 4;

    /// <summary>A ticket value no claim can match: set while the dispatcher rewrites the job fields.</summary>
    private const long Closed = -1;

    private readonly Thread[] _threads;
    private readonly object _gate = new();

    // The job. Written by the dispatcher while the ticket is Closed; read by claimers between reading the ticket
    // and claiming from it (a successful claim proves the fields belonged to that ticket's job).
    private IParallelWork? _work;
    private int _itemCount;
    private int _chunkSize;
    private int _chunkCount;

    private long _ticket = Closed;     // (job << 32) | next unclaimed chunk
    private int _job;                  // jobs published so far (the ticket's high half)
    private int _done;                 // chunks of the current job finished
    private int _sleepers;             // workers blocked on _gate
    private int _running;              // 1 while Run is in progress (a pool takes one job at a time)
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
    /// <exception cref="AggregateException">An item threw; the other items still ran.</exception>
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
        if (Interlocked.Exchange(ref _running, 1) != 0)
            throw new InvalidOperationException("A worker pool runs one job at a time; it was called again while busy (from two threads, or from inside a job).");
        try
        {
            Publish(work, itemCount);
            ClaimAndRun(0, _job);
            WaitForClaimedChunks();
            _work = null;
            if (_failure is { } failure)
            {
                _failure = null;
                throw new AggregateException("A worker thread failed.", failure);
            }
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    private void Publish(IParallelWork work, int itemCount)
    {
        // Close the ticket first: a worker that read the previous job's ticket must not claim against new fields.
        Interlocked.Exchange(ref _ticket, Closed);
        int chunkSize = ChunkSize(itemCount, ThreadCount);
        _work = work;
        _itemCount = itemCount;
        _chunkSize = chunkSize;
        _chunkCount = (itemCount + chunkSize - 1) / chunkSize;
        _done = 0;
        _failure = null;
        int job = _job == int.MaxValue ? 1 : _job + 1; // 0 means "no job" to NextJob
        _job = job;
        // The exchange is a full fence: either a worker going to sleep sees the new ticket, or we see it asleep.
        Interlocked.Exchange(ref _ticket, (long)job << 32);
        if (Volatile.Read(ref _sleepers) != 0)
        {
            lock (_gate)
                Monitor.PulseAll(_gate);
        }
    }

    /// <summary>
    /// Items per chunk: about <see cref="ChunksPerThread"/> chunks per thread, in multiples of 16 (or 4) items once
    /// chunks are that large, because the row kernels work on groups of 4 or 16 rows and a ragged edge takes their
    /// slower remainder path.
    /// </summary>
    internal static int ChunkSize(int itemCount, int threads)
    {
        int size = (itemCount + threads * ChunksPerThread - 1) / (threads * ChunksPerThread);
        int grain = size >= 16 ? 16 : size >= 4 ? 4 : 1;
        return (size + grain - 1) / grain * grain;
    }

    /// <summary>Claims chunks of job <paramref name="job"/> until none is left; each is run and counted as done.</summary>
    private void ClaimAndRun(int worker, int job)
    {
        while (true)
        {
            long ticket = Volatile.Read(ref _ticket);
            if (ticket == Closed || (int)(ticket >> 32) != job)
                return;
            // Read between the ticket and the claim: a successful claim proves the job was still open, so these
            // fields were this job's (the dispatcher rewrites them only after every chunk is done).
            int chunk = (int)ticket, chunkCount = _chunkCount, chunkSize = _chunkSize, itemCount = _itemCount;
            var work = _work;
            if (chunk >= chunkCount)
                return;
            if (Interlocked.CompareExchange(ref _ticket, ticket + 1, ticket) != ticket)
                continue;
            int start = chunk * chunkSize, end = Math.Min(start + chunkSize, itemCount);
            try
            {
                work!.Execute(worker, start, end);
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref _failure, ex, null);
            }
            Interlocked.Increment(ref _done);
        }
    }

    /// <summary>The dispatcher's completion barrier: chunks claimed by workers are short, so spin, then yield.</summary>
    private void WaitForClaimedChunks()
    {
        int chunkCount = _chunkCount;
        if (Volatile.Read(ref _done) == chunkCount)
            return;
        long deadline = Stopwatch.GetTimestamp() + CompletionSpinTicks;
        for (int i = 1; Volatile.Read(ref _done) != chunkCount; i++)
        {
            Thread.SpinWait(1);
            if ((i & 15) == 0 && Stopwatch.GetTimestamp() > deadline)
                break;
        }
        var spinner = new SpinWait();
        while (Volatile.Read(ref _done) != chunkCount)
            spinner.SpinOnce(sleep1Threshold: -1); // a preempted worker holds a chunk: hand it the processor
    }

    private void WorkerLoop(int worker)
    {
        int seen = 0;
        while (true)
        {
            int job = WaitForNextJob(seen);
            if (job < 0)
                return;
            seen = job;
            ClaimAndRun(worker, job);
        }
    }

    /// <summary>The number of the next published job after <paramref name="seen"/>, or −1 once the pool is disposed.</summary>
    private int WaitForNextJob(int seen)
    {
        long deadline = Stopwatch.GetTimestamp() + SpinTicks;
        for (int i = 0; ; i++)
        {
            if (NextJob(seen) is int job and not 0)
                return job;
            if (_disposed)
                return -1;
            Thread.SpinWait(1);
            if ((i & 63) == 63 && Stopwatch.GetTimestamp() > deadline)
                break;
        }
        lock (_gate)
        {
            Interlocked.Increment(ref _sleepers); // a full fence before the re-check: see Publish
            try
            {
                while (true)
                {
                    if (NextJob(seen) is int job and not 0)
                        return job;
                    if (_disposed)
                        return -1;
                    Monitor.Wait(_gate);
                }
            }
            finally
            {
                Interlocked.Decrement(ref _sleepers);
            }
        }
    }

    /// <summary>The published job's number if it differs from <paramref name="seen"/>, else 0.</summary>
    private int NextJob(int seen)
    {
        long ticket = Volatile.Read(ref _ticket);
        if (ticket == Closed)
            return 0;
        int job = (int)(ticket >> 32);
        return job != seen ? job : 0;
    }

    /// <summary>The contiguous share of <paramref name="count"/> items that worker <paramref name="worker"/> would get in an even static split.</summary>
    public static (int Start, int End) Split(int count, int workers, int worker)
    {
        int baseSize = count / workers, extra = count % workers;
        int start = worker * baseSize + Math.Min(worker, extra);
        int size = baseSize + (worker < extra ? 1 : 0);
        return (start, start + size);
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
