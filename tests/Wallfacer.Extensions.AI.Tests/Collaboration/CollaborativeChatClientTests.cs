using System.Diagnostics;
using Microsoft.Extensions.AI;
using Wallfacer.Extensions.AI.Collaboration;
using Wallfacer.Extensions.AI.Remote;
using Wallfacer.Extensions.AI.Tests.Remote;

namespace Wallfacer.Extensions.AI.Tests.Collaboration;

/// <summary>The policies of device-cloud collaboration, with the synthetic local model and a fake cloud that records every byte.</summary>
public class CollaborativeChatClientTests(ChatModelFixture fixture) : IClassFixture<ChatModelFixture>
{
    private static readonly ChatOptions Greedy = new() { Temperature = 0f, MaxOutputTokens = 8 };

    private (CollaborativeChatClient Client, FakeOpenAiServer Cloud, IDisposable Cleanup) Create(CollaborationOptions options, double cloudTimeoutSeconds = 10)
    {
        var cloud = new FakeOpenAiServer();
        var local = fixture.CreateClient();
        var remote = new RemoteChatClient(new RemoteChatClientOptions { Endpoint = cloud.Endpoint, Model = "cloud-model", MaxRetries = 0, Timeout = TimeSpan.FromSeconds(cloudTimeoutSeconds) });
        var client = new CollaborativeChatClient(local, remote, options);
        return (client, cloud, new Disposables(cloud, local, remote));
    }

    private static CollaborationDecision DecisionOf(ChatResponse response) =>
        Assert.IsType<CollaborationDecision>(response.AdditionalProperties![CollaborativeChatClient.DecisionKey]);

    [Fact]
    public async Task A_confident_local_answer_stays_local_and_a_doubtful_one_goes_to_the_cloud()
    {
        var (confident, cloudA, a) = Create(new CollaborationOptions { MinMeanLogprob = -1000 });
        using (a)
        {
            var r = await confident.GetResponseAsync("hello there", Greedy);
            Assert.Equal("local", DecisionOf(r).AnsweredBy);
            Assert.Empty(cloudA.Requests);
        }
        var (doubtful, cloudB, b) = Create(new CollaborationOptions { MinMeanLogprob = 0.5 }); // no answer is that sure
        using (b)
        {
            var r = await doubtful.GetResponseAsync("hello there", Greedy);
            var decision = DecisionOf(r);
            Assert.Equal("cloud", decision.AnsweredBy);
            Assert.Contains(decision.Reasons, x => x.StartsWith("low confidence"));
            Assert.Equal(cloudB.Answer, r.Text);
            Assert.NotNull(decision.LocalMeanLogprob);
            Assert.Equal(7, decision.CloudOutputTokens);
        }
    }

    [Fact]
    public async Task The_threshold_splits_answers_between_its_two_sides()
    {
        // Measure the local answer's confidence, then put the threshold just above and just below it.
        using var local = fixture.CreateClient();
        var probe = await local.GetResponseAsync("hello there", Greedy);
        double mean = ((Wallfacer.Inference.Engine.GenerationConfidence)probe.AdditionalProperties![WallfacerChatClient.ConfidenceKey]!).MeanLogprob;
        foreach (var (threshold, expected) in new[] { (mean - 0.01, "local"), (mean + 0.01, "cloud") })
        {
            var (client, _, cleanup) = Create(new CollaborationOptions { MinMeanLogprob = threshold });
            using (cleanup)
                Assert.Equal(expected, DecisionOf(await client.GetResponseAsync("hello there", Greedy)).AnsweredBy);
        }
    }

    [Fact]
    public async Task Private_data_never_reaches_the_cloud_when_kept_local()
    {
        var (client, cloud, cleanup) = Create(new CollaborationOptions { Privacy = PrivacyMode.KeepLocal, MinMeanLogprob = 0.5 });
        using (cleanup)
        {
            var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 4, AdditionalProperties = new() { [CollaborativeChatClient.DifficultyKey] = "hard" } };
            var r = await client.GetResponseAsync("my card is 4111 1111 1111 1111, is it valid?", options);
            Assert.Equal("local", DecisionOf(r).AnsweredBy);
            Assert.Empty(cloud.Requests);
        }
    }

    [Fact]
    public async Task Redacted_requests_carry_placeholders_and_the_answer_gets_the_values_back()
    {
        var (client, cloud, cleanup) = Create(new CollaborationOptions { Privacy = PrivacyMode.Redact });
        using (cleanup)
        {
            cloud.Answer = "I will write to [EMAIL_1] about card [PAYMENT_CARD_1].";
            var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 4, Instructions = "the user is jane@example.com", AdditionalProperties = new() { [CollaborativeChatClient.DifficultyKey] = "hard" } };
            var r = await client.GetResponseAsync("email jane@example.com that card 4111-1111-1111-1111 was charged twice; call +44 20 7946 0958", options);
            string sent = string.Join("\n", cloud.Requests);
            Assert.DoesNotContain("jane@example.com", sent);
            Assert.DoesNotContain("4111", sent);
            Assert.DoesNotContain("7946", sent);
            Assert.Contains("[EMAIL_1]", sent);
            Assert.Equal("I will write to jane@example.com about card 4111-1111-1111-1111.", r.Text);
            var decision = DecisionOf(r);
            Assert.Equal(3, decision.RedactedItems);
            Assert.Equal("cloud", decision.AnsweredBy);
        }
    }

    [Theory]
    [InlineData("500")]
    [InlineData("slow")]
    [InlineData("cut")]
    public async Task A_failing_cloud_falls_back_to_the_local_answer_without_hanging(string fault)
    {
        var (client, cloud, cleanup) = Create(new CollaborationOptions { MinMeanLogprob = 0.5, CloudTimeout = TimeSpan.FromSeconds(2) }, cloudTimeoutSeconds: 30);
        using (cleanup)
        {
            switch (fault)
            {
                case "500": cloud.FailWith.Enqueue(500); break;
                case "slow": cloud.FirstByteDelay = TimeSpan.FromSeconds(20); break;
                case "cut": cloud.CutStream = true; break;
            }
            var clock = Stopwatch.StartNew();
            var r = await client.GetResponseAsync("hello there", Greedy);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
            var decision = DecisionOf(r);
            Assert.Equal("local", decision.AnsweredBy);
            Assert.Contains(decision.Reasons, x => x.Contains("cloud"));
        }
    }

    [Fact]
    public async Task A_prompt_too_long_for_the_local_context_goes_to_the_cloud()
    {
        var (client, cloud, cleanup) = Create(new CollaborationOptions());
        using (cleanup)
        {
            var r = await client.GetResponseAsync(string.Join(' ', Enumerable.Repeat("the sea", 400)), Greedy);
            Assert.Equal("cloud", DecisionOf(r).AnsweredBy);
            Assert.Single(cloud.Requests);
        }
    }

    [Fact]
    public async Task Streaming_delivers_the_chosen_answer_with_its_decision()
    {
        var (client, _, cleanup) = Create(new CollaborationOptions { MinMeanLogprob = 0.5 });
        using (cleanup)
        {
            var updates = new List<ChatResponseUpdate>();
            await foreach (var u in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], Greedy))
                updates.Add(u);
            Assert.Equal("The capital of France is Paris.", string.Concat(updates.Select(u => u.Text)));
        }
    }

    private sealed class Disposables(params IDisposable[] items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items)
                item.Dispose();
        }
    }
}
