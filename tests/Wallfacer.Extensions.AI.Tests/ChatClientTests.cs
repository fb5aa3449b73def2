using System.Diagnostics;
using Microsoft.Extensions.AI;
using Wallfacer.Inference.Chat;
using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Scheduling;
using Wallfacer.Tokenizers;

namespace Wallfacer.Extensions.AI.Tests;

public class ChatClientTests(ChatModelFixture fixture) : IClassFixture<ChatModelFixture>
{
    private static readonly ChatMessage[] Conversation =
    [
        new(ChatRole.System, "you are a tiny test model"),
        new(ChatRole.User, "tell me a story about the sea"),
    ];

    /// <summary>Sampling that spreads probability widely, so different seeds really diverge.</summary>
    private static ChatOptions Sampled(long seed, int maxTokens = 24) => new()
    {
        Seed = seed, Temperature = 1.5f, TopK = 0, TopP = 1f, MaxOutputTokens = maxTokens,
        AdditionalProperties = new() { ["min_p"] = 0.0 },
    };

    private static ChatOptions WithStop(ChatOptions options, string stop)
    {
        options.StopSequences = [stop];
        return options;
    }

    private static ChatOptions Greedy(int maxTokens) => new() { Temperature = 0f, MaxOutputTokens = maxTokens };

    private static int[] PromptTokens(IChatClient client, IEnumerable<ChatMessage> messages)
    {
        var formatter = client.GetService<ChatFormatter>()!;
        var json = ChatMessageMapper.ToTemplateMessages(messages, instructions: null);
        return formatter.Tokenize(formatter.Render(json));
    }

    [Fact]
    public async Task A_response_reports_its_text_finish_reason_and_token_usage()
    {
        using var client = fixture.CreateClient();
        var response = await client.GetResponseAsync(Conversation, Greedy(6));

        var usage = response.Usage!;
        Assert.Equal(PromptTokens(client, Conversation).Length, usage.InputTokenCount);
        Assert.InRange(usage.OutputTokenCount!.Value, 1, 6);
        Assert.Equal(usage.InputTokenCount + usage.OutputTokenCount, usage.TotalTokenCount);
        Assert.Equal(0, usage.CachedInputTokenCount);
        Assert.Equal(usage.OutputTokenCount == 6 ? ChatFinishReason.Length : ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(ChatRole.Assistant, response.Messages.Single().Role);
        Assert.Equal(client.Metadata.DefaultModelId, response.ModelId);
        Assert.NotNull(response.ResponseId);
    }

    [Fact]
    public async Task Streaming_yields_the_same_text_as_the_whole_response()
    {
        using var client = fixture.CreateClient();
        var whole = await client.GetResponseAsync(Conversation, Sampled(7));
        var parts = new List<string>();
        ChatFinishReason? finish = null;
        await foreach (var update in client.GetStreamingResponseAsync(Conversation, Sampled(7)))
        {
            parts.Add(update.Text);
            finish ??= update.FinishReason;
        }
        Assert.True(parts.Count(p => p.Length > 0) > 1, "the text should arrive in several updates");
        Assert.Equal(whole.Text, string.Concat(parts));
        Assert.Equal(whole.FinishReason, finish);
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_text_and_another_seed_a_different_one()
    {
        using var client = fixture.CreateClient();
        var a = await client.GetResponseAsync(Conversation, Sampled(42, 32));
        var b = await client.GetResponseAsync(Conversation, Sampled(42, 32));
        var c = await client.GetResponseAsync(Conversation, Sampled(43, 32));
        Assert.Equal(a.Text, b.Text);
        Assert.NotEqual(a.Text, c.Text);
    }

    [Fact]
    public async Task Max_output_tokens_and_stop_sequences_are_honoured()
    {
        using var client = fixture.CreateClient();
        var full = await client.GetResponseAsync(Conversation, Sampled(5, 40));
        Assert.True(full.Text.Length > 12, $"need a longer sample, got '{full.Text}'");
        string stop = full.Text.Substring(8, 3);
        var stopped = await client.GetResponseAsync(Conversation, WithStop(Sampled(5, 40), stop));
        Assert.Equal(full.Text[..full.Text.IndexOf(stop, StringComparison.Ordinal)], stopped.Text);
        Assert.Equal(ChatFinishReason.Stop, stopped.FinishReason);

        var capped = await client.GetResponseAsync(Conversation, Sampled(5, 3));
        Assert.True(capped.Usage!.OutputTokenCount <= 3);
    }

    [Fact]
    public async Task Cancelling_stops_generation_within_100_ms_and_frees_the_session()
    {
        using var client = fixture.CreateClient();
        using var cts = new CancellationTokenSource();
        var clock = new Stopwatch();
        int updatesAfterCancel = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(Conversation, Sampled(1, 400), cts.Token))
            {
                if (clock.IsRunning)
                    updatesAfterCancel++;
                else if (update.Text.Length > 0)
                {
                    clock.Start();
                    cts.Cancel();
                }
            }
        });
        clock.Stop();
        Assert.True(clock.ElapsedMilliseconds < 100, $"generation ran {clock.ElapsedMilliseconds} ms after cancellation");
        Assert.True(updatesAfterCancel <= 1);

        // The session went back to the pool: the next request runs.
        var next = await client.GetResponseAsync(Conversation, Greedy(2)).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotNull(next.Usage);
    }

    [Fact]
    public async Task The_next_turn_evaluates_only_its_new_tokens()
    {
        using var client = fixture.CreateClient();
        var first = await client.GetResponseAsync(Conversation, Greedy(8));
        var turn2 = Conversation.Concat(first.Messages).Append(new ChatMessage(ChatRole.User, "and then what")).ToList();
        var second = await client.GetResponseAsync(turn2, Greedy(4));

        int prompt1 = PromptTokens(client, Conversation).Length;
        int prompt2 = PromptTokens(client, turn2).Length;
        long cached = second.Usage!.CachedInputTokenCount!.Value;
        Assert.Equal(prompt2, second.Usage.InputTokenCount);
        // Everything up to the first prompt's end is reused; only the reply (as re-tokenized) and the new turn run.
        Assert.InRange(cached, prompt1, prompt2 - 1);
        var pool = client.GetService<SessionPool>()!;
        Assert.Equal(1, pool.SessionCount);
    }

    [Fact]
    public async Task A_conversation_id_keeps_the_history_on_the_client()
    {
        using var client = fixture.CreateClient();
        var options = Greedy(6);
        options.ConversationId = "conv-1";
        var first = await client.GetResponseAsync(Conversation, options);
        Assert.Equal("conv-1", first.ConversationId);

        var next = new ChatMessage(ChatRole.User, "and then what");
        var second = await client.GetResponseAsync([next], options);
        var expectedPrompt = PromptTokens(client, [.. Conversation, new ChatMessage(ChatRole.Assistant, first.Text), next]);
        Assert.Equal(expectedPrompt.Length, second.Usage!.InputTokenCount);
        Assert.True(second.Usage.CachedInputTokenCount >= PromptTokens(client, Conversation).Length);
    }

    [Fact]
    public async Task Two_requests_in_parallel_give_the_same_tokens_as_each_alone()
    {
        var other = new[] { new ChatMessage(ChatRole.User, "write a poem about stones") };
        string aloneA, aloneB;
        using (var client = fixture.CreateClient())
        {
            aloneA = (await client.GetResponseAsync(Conversation, Sampled(11, 32))).Text;
            aloneB = (await client.GetResponseAsync(other, Sampled(12, 32))).Text;
        }
        using var shared = fixture.CreateClient(maxParallel: 2);
        var a = Task.Run(() => shared.GetResponseAsync(Conversation, Sampled(11, 32)));
        var b = Task.Run(() => shared.GetResponseAsync(other, Sampled(12, 32)));
        var both = await Task.WhenAll(a, b);
        Assert.Equal(aloneA, both[0].Text);
        Assert.Equal(aloneB, both[1].Text);
        Assert.Equal(2, shared.GetService<SessionPool>()!.SessionCount);
    }

    [Fact]
    public void Get_service_exposes_the_model_tokenizer_and_metadata()
    {
        using var client = fixture.CreateClient();
        Assert.Same(fixture.Model, client.GetService<LanguageModel>());
        Assert.Same(fixture.Model.Tokenizer, client.GetService<ITokenizer>());
        Assert.Same(client.Metadata, client.GetService<ChatClientMetadata>());
        Assert.Equal("wallfacer", client.Metadata.ProviderName);
        Assert.StartsWith("synthetic llama", client.Metadata.DefaultModelId);
        Assert.Null(client.GetService<LanguageModel>("some key"));
    }

    [Fact]
    public async Task A_prompt_longer_than_the_context_is_refused_not_truncated()
    {
        using var client = fixture.CreateClient();
        var huge = new ChatMessage(ChatRole.User, string.Join(' ', Enumerable.Repeat("the sea", 400)));
        var ex = await Assert.ThrowsAsync<ContextFullException>(() => client.GetResponseAsync([huge], Greedy(4)));
        Assert.Contains("context is full", ex.Message);
    }
}

public class ConfidenceTests(ChatModelFixture fixture) : IClassFixture<ChatModelFixture>
{
    [Fact]
    public async Task The_response_carries_the_models_confidence_in_its_answer()
    {
        using var client = fixture.CreateClient();
        var cold = await client.GetResponseAsync("tell me a story", new ChatOptions { Temperature = 2f, TopK = 0, TopP = 1, Seed = 1, MaxOutputTokens = 16, AdditionalProperties = new() { ["min_p"] = 0.0 } });
        var greedy = await client.GetResponseAsync("tell me a story", new ChatOptions { Temperature = 0f, MaxOutputTokens = 16 });
        var c = Assert.IsType<Wallfacer.Inference.Engine.GenerationConfidence>(cold.AdditionalProperties![WallfacerChatClient.ConfidenceKey]);
        var g = Assert.IsType<Wallfacer.Inference.Engine.GenerationConfidence>(greedy.AdditionalProperties![WallfacerChatClient.ConfidenceKey]);
        Assert.Equal(cold.Usage!.OutputTokenCount, c.Tokens);
        Assert.InRange(c.MinLogprob, double.MinValue, c.MeanLogprob);
        Assert.True(c.MeanEntropy > 0);
        // Greedy picks the most likely token every time: more confident on average than hot sampling.
        Assert.True(g.MeanLogprob > c.MeanLogprob, $"greedy {g.MeanLogprob} vs sampled {c.MeanLogprob}");
    }
}

public class ResponseFormatChatClientTests(ChatModelFixture fixture) : IClassFixture<ChatModelFixture>
{
    [Fact]
    public async Task ChatOptions_response_format_with_a_schema_is_enforced()
    {
        using var client = fixture.CreateClient();
        var schema = System.Text.Json.JsonDocument.Parse("""{"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}""").RootElement;
        var response = await client.GetResponseAsync("answer", new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "answer"), MaxOutputTokens = 60, Temperature = 1.2f, Seed = 2,
            AdditionalProperties = new() { ["min_p"] = 0.0 },
        });
        var parsed = System.Text.Json.JsonDocument.Parse(response.Text).RootElement;
        Assert.True(parsed.GetProperty("ok").ValueKind is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False);
    }
}
