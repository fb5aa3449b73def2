using Microsoft.Extensions.AI;
using Wallfacer.Extensions.AI.Collaboration;
using Wallfacer.Extensions.AI.Remote;
using Wallfacer.Extensions.AI.Tests.Remote;
using Wallfacer.Inference.Engine;

namespace Wallfacer.Extensions.AI.Tests.Collaboration;

/// <summary>The trained router (route before generating) and the self-check (a second local opinion) of the cascade.</summary>
public class RouterAndSelfCheckTests
{
    private static readonly (string Prompt, bool LocalGood)[] Examples =
    [
        ("What is the capital of France?", true), ("Translate 'cat' to German.", true), ("Name a primary colour.", true),
        ("Who wrote Hamlet?", true), ("What colour is the sky?", true), ("Say hello.", true),
        ("Explain step by step why the sum of two odd numbers is even, then prove it for all integers and compare with the product.", false),
        ("Derive the closed form of the Fibonacci numbers and analyse its error; justify each step. Why does it converge?", false),
        ("Solve 3847 * 2917 - 18273 / 7 and explain every step of the calculation in detail, then check it.", false),
        ("Write a function that parses JSON: ```def parse(s):``` and explain why your approach handles nesting. Compare it with a regex.", false),
    ];

    [Fact]
    public void The_router_learns_to_tell_hard_requests_from_easy_ones_and_round_trips_through_its_file()
    {
        var router = TrainedRouter.Train(Examples);
        Assert.Equal(Examples.Length, router.TrainingCorrect);
        double hard = router.LocalFailureProbability("Explain why the square root of 2 is irrational and prove it step by step; compare two proofs.");
        double easy = router.LocalFailureProbability("What is the capital of Spain?");
        Assert.True(hard > 0.5 && easy < 0.5, $"hard {hard:F2}, easy {easy:F2}");

        string path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".json");
        router.Save(path);
        Assert.Equal(hard, TrainedRouter.Load(path).LocalFailureProbability("Explain why the square root of 2 is irrational and prove it step by step; compare two proofs."));
        File.WriteAllText(path, """{"features": ["length"], "weights": [1], "bias": 0}""");
        Assert.Contains("train it again", Assert.Throws<ArgumentException>(() => TrainedRouter.Load(path)).Message);
    }

    [Fact]
    public async Task A_request_the_router_expects_to_fail_goes_to_the_cloud_without_a_local_attempt()
    {
        using var cloud = new FakeOpenAiServer();
        using var remote = new RemoteChatClient(new RemoteChatClientOptions { Endpoint = cloud.Endpoint, Model = "cloud", MaxRetries = 0 });
        var local = new ScriptedLocal(confident: true, selfCheck: true);
        using var client = new CollaborativeChatClient(local, remote, new CollaborationOptions { Router = TrainedRouter.Train(Examples) });

        var hard = await client.GetResponseAsync("Explain step by step why the harmonic series diverges and prove it; compare two proofs.");
        var decision = Assert.IsType<CollaborationDecision>(hard.AdditionalProperties![CollaborativeChatClient.DecisionKey]);
        Assert.Equal("cloud", decision.AnsweredBy);
        Assert.StartsWith("router:", decision.Reasons.Single());
        Assert.Equal(0, local.Requests);

        var easy = await client.GetResponseAsync("What is the capital of Italy?");
        Assert.Equal("local", ((CollaborationDecision)easy.AdditionalProperties![CollaborativeChatClient.DecisionKey]!).AnsweredBy);
        Assert.Equal(1, local.Requests);
    }

    [Theory]
    [InlineData(true, "local")]
    [InlineData(false, "cloud")]
    public async Task The_self_check_escalates_exactly_when_the_local_model_disowns_its_answer(bool standsByIt, string answeredBy)
    {
        using var cloud = new FakeOpenAiServer();
        using var remote = new RemoteChatClient(new RemoteChatClientOptions { Endpoint = cloud.Endpoint, Model = "cloud", MaxRetries = 0 });
        var local = new ScriptedLocal(confident: true, selfCheck: standsByIt);
        using var client = new CollaborativeChatClient(local, remote, new CollaborationOptions { SelfCheck = true });
        var response = await client.GetResponseAsync("What is 2 + 2?");
        var decision = (CollaborationDecision)response.AdditionalProperties![CollaborativeChatClient.DecisionKey]!;
        Assert.Equal(answeredBy, decision.AnsweredBy);
        Assert.Equal(2, local.Requests); // the answer, then the check
        Assert.True(local.CheckWasSchemaConstrained);
        if (!standsByIt)
            Assert.Contains(decision.Reasons, r => r.StartsWith("self-check"));
    }

    /// <summary>A local model whose answers and confidence are fixed; the self-check request is recognised by its response format.</summary>
    private sealed class ScriptedLocal(bool confident, bool selfCheck) : IChatClient
    {
        public int Requests { get; private set; }
        public bool CheckWasSchemaConstrained { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Requests++;
            if (options?.ResponseFormat is ChatResponseFormatJson { Schema: not null })
            {
                CheckWasSchemaConstrained = true;
                return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, selfCheck ? """{"correct": true}""" : """{"correct": false}""")));
            }
            var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, "4"))
            {
                AdditionalProperties = new() { [WallfacerChatClient.ConfidenceKey] = new GenerationConfidence(3, confident ? -0.1 : -5, confident ? -0.2 : -9, 0.3) },
            };
            return Task.FromResult(response);
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates())
                yield return update;
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;
        public void Dispose() { }
    }
}
