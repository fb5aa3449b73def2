using Wallfacer.TestSupport;
using Wallfacer.Numerics.Threading;

namespace Wallfacer.Numerics.Tests;

public class ThreadingTests
{
    private sealed class Recorder(int count) : IParallelWork
    {
        public readonly int[] Hits = new int[count];
        public void Execute(int worker, int start, int end)
        {
            for (int i = start; i < end; i++)
                Interlocked.Increment(ref Hits[i]);
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(2, 7)]
    [InlineData(3, 1000)]
    public void Every_item_runs_exactly_once(int threads, int items)
    {
        using var pool = new WorkerPool(threads);
        for (int round = 0; round < 50; round++)
        {
            var r = new Recorder(items);
            pool.Run(r, items);
            Assert.All(r.Hits, h => Assert.Equal(1, h));
        }
    }

    [Fact]
    public void Split_covers_the_range_contiguously()
    {
        int covered = 0;
        for (int w = 0; w < 3; w++)
        {
            var (s, e) = WorkerPool.Split(10, 3, w);
            Assert.Equal(covered, s);
            covered = e;
        }
        Assert.Equal(10, covered);
    }

    private sealed class Failing : IParallelWork
    {
        public void Execute(int worker, int start, int end)
        {
            if (start <= 7 && 7 < end) // chunks go to whichever thread claims them first: fail on an item
                throw new InvalidOperationException("boom");
        }
    }

    [Fact]
    public void A_worker_failure_reaches_the_caller_and_the_pool_survives()
    {
        using var pool = new WorkerPool(2);
        Assert.Throws<AggregateException>(() => pool.Run(new Failing(), 10));
        var r = new Recorder(10);
        pool.Run(r, 10);
        Assert.All(r.Hits, h => Assert.Equal(1, h));
    }

    private sealed class RangeLog(int count) : IParallelWork
    {
        public readonly int[] Worker = new int[count];
        public readonly int[] Hits = new int[count];
        public void Execute(int worker, int start, int end)
        {
            for (int i = start; i < end; i++)
            {
                Worker[i] = worker;
                Interlocked.Increment(ref Hits[i]);
            }
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Many_small_jobs_in_a_row_each_run_every_item_once(int threads)
    {
        using var pool = new WorkerPool(threads);
        for (int round = 0; round < 20_000; round++)
        {
            int items = 1 + round % 37;
            var r = new RangeLog(items);
            pool.Run(r, items);
            for (int i = 0; i < items; i++)
            {
                Assert.Equal(1, r.Hits[i]);
                Assert.InRange(r.Worker[i], 0, threads - 1);
            }
        }
    }

    [Fact]
    public void Jobs_still_run_after_the_workers_have_gone_to_sleep()
    {
        using var pool = new WorkerPool(2);
        for (int round = 0; round < 5; round++)
        {
            Thread.Sleep(5); // longer than the workers' spin: they block and must be woken
            var r = new Recorder(100);
            pool.Run(r, 100);
            Assert.All(r.Hits, h => Assert.Equal(1, h));
        }
    }

    /// <summary>Each item's output depends only on the item, so any thread count gives the same array.</summary>
    private sealed class Squares(int count) : IParallelWork
    {
        public readonly float[] Output = new float[count];
        public void Execute(int worker, int start, int end)
        {
            for (int i = start; i < end; i++)
            {
                float acc = 0;
                for (int k = 0; k <= i % 50; k++)
                    acc = MathF.FusedMultiplyAdd(k * 0.1f, i * 0.3f, acc);
                Output[i] = acc;
            }
        }
    }

    [Fact]
    public void Results_do_not_depend_on_the_thread_count()
    {
        float[]? expected = null;
        foreach (int threads in new[] { 1, 2, 3, 5 })
        {
            using var pool = new WorkerPool(threads);
            var work = new Squares(4_999);
            pool.Run(work, 4_999);
            expected ??= work.Output;
            Assert.Equal(expected, work.Output);
        }
    }

    private sealed class FailingItem(int bad) : IParallelWork
    {
        public int Ran;
        public void Execute(int worker, int start, int end)
        {
            for (int i = start; i < end; i++)
            {
                Interlocked.Increment(ref Ran);
                if (i == bad)
                    throw new InvalidOperationException($"item {i}");
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(63)]
    [InlineData(999)]
    public void A_failing_item_surfaces_once_and_the_other_chunks_still_run(int bad)
    {
        using var pool = new WorkerPool(2);
        for (int round = 0; round < 20; round++)
        {
            var work = new FailingItem(bad);
            var ex = Assert.Throws<AggregateException>(() => pool.Run(work, 1000));
            Assert.IsType<InvalidOperationException>(Assert.Single(ex.InnerExceptions));
            int chunk = WorkerPool.ChunkSize(1000, 2);
            int chunkEnd = Math.Min((bad / chunk + 1) * chunk, 1000);
            Assert.Equal(1000 - (chunkEnd - 1 - bad), work.Ran); // only the rest of the failing chunk is skipped
            var r = new Recorder(10);
            pool.Run(r, 10);
            Assert.All(r.Hits, h => Assert.Equal(1, h));
        }
    }

    [Fact]
    public void Disposal_stops_the_workers_and_later_runs_are_refused()
    {
        var pool = new WorkerPool(3);
        pool.Run(new Recorder(50), 50);
        pool.Dispose();
        pool.Dispose(); // idempotent
        Assert.Throws<ObjectDisposedException>(() => pool.Run(new Recorder(5), 5));
    }

    [Fact]
    public async Task Disposal_of_a_sleeping_pool_returns()
    {
        var pool = new WorkerPool(2);
        pool.Run(new Recorder(50), 50);
        await Task.Delay(20);
        await Task.Run(pool.Dispose).WaitAsync(TimeSpan.FromSeconds(10));
    }

    private sealed class Reentrant(WorkerPool pool) : IParallelWork
    {
        public void Execute(int worker, int start, int end) => pool.Run(new Recorder(4), 4);
    }

    [Fact]
    public void A_job_that_dispatches_into_its_own_pool_is_refused()
    {
        using var pool = new WorkerPool(2);
        var ex = Assert.Throws<AggregateException>(() => pool.Run(new Reentrant(pool), 8));
        Assert.IsType<InvalidOperationException>(ex.InnerExceptions[0]);
        var r = new Recorder(10);
        pool.Run(r, 10);
        Assert.All(r.Hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void Dispatch_allocates_nothing_on_any_thread()
    {
        using var pool = new WorkerPool(2);
        var r = new Recorder(256);
        for (int i = 0; i < 1000; i++)
            pool.Run(r, 256); // warm up: JIT, sync blocks
        long[] allocated = QuietAllocationWindow.OnPool(pool, () =>
        {
            for (int i = 0; i < 2_000; i++)
                pool.Run(r, 256);
            Thread.Sleep(5); // let the worker block once (the sleep path must not allocate either)
            pool.Run(r, 256);
        });
        for (int w = 0; w < 2; w++)
            Assert.True(allocated[w] == 0, $"worker {w} allocated {allocated[w]} bytes over 2,001 dispatches");
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(7, 2)]
    [InlineData(896, 2)]
    [InlineData(4864, 2)]
    [InlineData(151_936, 2)]
    [InlineData(14, 4)]
    public void Chunks_are_multiples_of_the_row_groups_and_cover_the_items(int items, int threads)
    {
        int size = WorkerPool.ChunkSize(items, threads);
        Assert.True(size >= 1);
        if (size >= 16)
            Assert.Equal(0, size % 16);
        else if (size >= 4)
            Assert.Equal(0, size % 4);
        int chunks = (items + size - 1) / size;
        Assert.InRange(chunks, 1, threads * 4);
    }
}
