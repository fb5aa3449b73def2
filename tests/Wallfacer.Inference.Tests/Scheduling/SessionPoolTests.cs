using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Scheduling;
using Wallfacer.Inference.Tests.Engine;

namespace Wallfacer.Inference.Tests.Scheduling;

public class SessionPoolTests(SyntheticModelFixture fixture) : IClassFixture<SyntheticModelFixture>
{
    [Fact]
    public async Task A_request_gets_the_session_holding_its_longest_prefix()
    {
        using var model = LanguageModel.Load(fixture.Path);
        using var pool = new SessionPool(model, new SessionPoolOptions { Session = new() { ContextLength = 64 }, MaxSessions = 2 });
        var a = model.Tokenizer.Encode("once upon a time");
        var b = model.Tokenizer.Encode("stones are grey");

        InferenceSession first, second;
        using (var lease = await pool.AcquireAsync(a)) { first = lease.Session; first.Evaluate(a); }
        using (var lease = await pool.AcquireAsync(b)) { second = lease.Session; second.Evaluate(b); }
        Assert.NotSame(first, second); // nothing shared: a new session keeps the first cache
        using (var lease = await pool.AcquireAsync([.. a, 400])) Assert.Same(first, lease.Session);
        using (var lease = await pool.AcquireAsync([.. b, 400])) Assert.Same(second, lease.Session);
        Assert.Equal(2, pool.SessionCount);
    }

    [Fact]
    public async Task Callers_beyond_max_parallel_wait_and_can_cancel()
    {
        using var model = LanguageModel.Load(fixture.Path);
        using var pool = new SessionPool(model, new SessionPoolOptions { Session = new() { ContextLength = 32 }, MaxSessions = 1 });
        var held = await pool.AcquireAsync([1]);
        var waiting = pool.AcquireAsync([1]);
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        held.Dispose();
        using (await waiting.WaitAsync(TimeSpan.FromSeconds(10))) { }

        using var again = await pool.AcquireAsync([1]);
        using var cts = new CancellationTokenSource(50);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pool.AcquireAsync([1], cancellationToken: cts.Token));
    }

    [Fact]
    public void Invalid_pool_sizes_are_rejected()
    {
        using var model = LanguageModel.Load(fixture.Path);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SessionPool(model, new SessionPoolOptions { MaxSessions = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SessionPool(model, new SessionPoolOptions { MaxSessions = 1, MaxParallel = 2 }));
    }
}
