using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Sampling;
using Wallfacer.Inference.Scheduling;
using Wallfacer.Inference.Tests.Engine;

namespace Wallfacer.Inference.Tests.Scheduling;

public class BatchSchedulerTests(SyntheticModelFixture fixture) : IClassFixture<SyntheticModelFixture>
{
    private static GenerationOptions Sampled(ulong seed, int max = 24) => new()
    {
        MaxTokens = max,
        Sampling = new SamplerOptions { Seed = seed, Temperature = 1.2f, TopK = 0, TopP = 1, MinP = 0 },
    };

    private static async Task<int[]> Collect(BatchRequest request)
    {
        var tokens = new List<int>();
        await foreach (var step in request.Steps())
            if (step.Token >= 0)
                tokens.Add(step.Token);
        await request.Completion;
        return [.. tokens];
    }

    private static int[] Alone(LanguageModel model, int[] prompt, GenerationOptions options)
    {
        using var session = model.CreateSession(new SessionOptions { ContextLength = 256, Threads = 1 });
        return TextGenerator.Start(session, prompt, options).Steps().Where(s => s.Token >= 0).Select(s => s.Token).ToArray();
    }

    // Ride length 32: the prompts after the first ride its decode steps, several tokens per step (16, so whole prompts
    // and steps of more than 8 rows) or one; 0: each prompt takes passes of its own. Either way a request's tokens are
    // those it gets alone.
    [Theory]
    [InlineData(32, 16)]
    [InlineData(32, 1)]
    [InlineData(0, 16)]
    public async Task Requests_decoded_together_get_the_same_tokens_as_each_alone(int promptRideLength, int rideTokensPerStep)
    {
        using var model = LanguageModel.Load(fixture.Path);
        string[] texts = ["once upon a time", "the sea was blue and the", "stones", "a fish said"];
        var prompts = texts.Select(t => model.Tokenizer.Encode(t)).ToArray();
        var expected = prompts.Select((p, i) => Alone(model, p, Sampled((ulong)i + 10))).ToArray();

        using var scheduler = new BatchScheduler(model, new BatchSchedulerOptions
        {
            Slots = 4, PromptRideLength = promptRideLength, PromptRideTokensPerStep = rideTokensPerStep,
            Session = new SessionOptions { ContextLength = 256, Threads = 1, BatchSize = 8 },
        });
        var requests = prompts.Select((p, i) => scheduler.Submit(p, Sampled((ulong)i + 10))).ToArray();
        var results = await Task.WhenAll(requests.Select(Collect));
        for (int i = 0; i < prompts.Length; i++)
            Assert.Equal(expected[i], results[i]);
        Assert.All(requests, r => Assert.Equal(24, r.GeneratedTokenCount));
    }

    [Fact]
    public async Task A_follow_up_prompt_reuses_its_slots_cached_prefix()
    {
        using var model = LanguageModel.Load(fixture.Path);
        using var scheduler = new BatchScheduler(model, new BatchSchedulerOptions { Slots = 2, Session = new SessionOptions { ContextLength = 256, Threads = 1 } });
        var first = model.Tokenizer.Encode("once upon a time the sea");
        var a = scheduler.Submit(first, Sampled(1, 6));
        var generated = await Collect(a);
        int[] second = [.. first, .. generated, .. model.Tokenizer.Encode("and then", addSpecial: false)];
        var b = scheduler.Submit(second, Sampled(2, 4));
        await Collect(b);
        Assert.Equal(0, a.CachedPromptTokens);
        Assert.Equal(first.Length + generated.Length - 1, b.CachedPromptTokens); // the last sampled token was never evaluated
    }

    [Fact]
    public async Task A_full_queue_is_refused_and_cancelled_requests_free_their_place()
    {
        using var model = LanguageModel.Load(fixture.Path);
        using var scheduler = new BatchScheduler(model, new BatchSchedulerOptions
        {
            Slots = 1, MaxQueue = 1, Session = new SessionOptions { ContextLength = 256, Threads = 1 },
        });
        var prompt = model.Tokenizer.Encode("once upon a time");
        using var longRun = new CancellationTokenSource();
        using var waitCancel = new CancellationTokenSource();
        // Back to back: one request for the slot, one for the queue, and the third finds both taken.
        var running = scheduler.Submit(prompt, Sampled(1, 200), longRun.Token);
        var waiting = scheduler.Submit(prompt, Sampled(2), waitCancel.Token);
        Assert.Throws<QueueFullException>(() => scheduler.Submit(prompt, Sampled(3)));

        waitCancel.Cancel(); // leaves the queue at once (or its slot at the next step)
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.Completion);
        var next = scheduler.Submit(prompt, Sampled(4, 3));

        longRun.Cancel(); // frees the slot at the next step (unless it already finished)
        try { await running.Completion; } catch (OperationCanceledException) { }
        Assert.Equal(3, (await Collect(next)).Length);
    }

    [Fact]
    public void A_prompt_longer_than_the_context_is_refused()
    {
        using var model = LanguageModel.Load(fixture.Path);
        using var scheduler = new BatchScheduler(model, new BatchSchedulerOptions { Slots = 1, Session = new SessionOptions { ContextLength = 8, Threads = 1 } });
        var ex = Assert.Throws<ContextFullException>(() => scheduler.Submit(model.Tokenizer.Encode("once upon a time the sea was blue and grey"), Sampled(1)));
        Assert.Equal(8, ex.Capacity);
    }
}
