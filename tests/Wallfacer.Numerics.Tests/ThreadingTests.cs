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
            if (worker == 1)
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
}
