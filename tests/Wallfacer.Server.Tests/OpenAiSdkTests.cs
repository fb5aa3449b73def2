using System.ClientModel;
using OpenAI;
using OpenAI.Chat;

namespace Wallfacer.Server.Tests;

/// <summary>The official OpenAI .NET SDK, unchanged, against <c>wallfacer serve</c>.</summary>
public class OpenAiSdkTests(ModelFile model) : IClassFixture<ModelFile>
{
    private static ChatClient Client(WallfacerServer server, string key = "unused") =>
        new("tiny", new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(server.Url + "/v1") });

    private static ChatCompletionOptions Options(long seed) => new() { Temperature = 1.0f, MaxOutputTokenCount = 20,
#pragma warning disable OPENAI001
        Seed = seed,
#pragma warning restore OPENAI001
    };

    [Fact]
    public async Task Non_streaming_and_streaming_completions_agree_and_report_usage()
    {
        await using var server = await model.StartAsync();
        var client = Client(server);
        ChatMessage[] messages = [new SystemChatMessage("be brief"), new UserChatMessage("tell me about the sea")];

        ChatCompletion whole = await client.CompleteChatAsync(messages, Options(7));
        Assert.Equal(ChatMessageRole.Assistant, whole.Role);
        Assert.InRange(whole.Usage.OutputTokenCount, 1, 20);
        Assert.True(whole.Usage.InputTokenCount > 10);
        Assert.Equal("tiny", whole.Model);

        var streamed = new System.Text.StringBuilder();
        ChatFinishReason? finish = null;
        await foreach (var update in client.CompleteChatStreamingAsync(messages, Options(7)))
        {
            foreach (var part in update.ContentUpdate)
                streamed.Append(part.Text);
            finish ??= update.FinishReason;
        }
        Assert.Equal(whole.Content[0].Text, streamed.ToString());
        Assert.Equal(whole.FinishReason, finish);
    }

    [Fact]
    public async Task The_second_turn_reports_cached_prompt_tokens()
    {
        await using var server = await model.StartAsync(o => o with { Parallel = 1 });
        var client = Client(server);
        List<ChatMessage> messages = [new UserChatMessage("once upon a time")];
        ChatCompletion first = await client.CompleteChatAsync(messages, Options(1));
        messages.Add(new AssistantChatMessage(first.Content[0].Text));
        messages.Add(new UserChatMessage("and then?"));
        ChatCompletion second = await client.CompleteChatAsync(messages, Options(2));
        Assert.True(second.Usage.InputTokenDetails.CachedTokenCount >= first.Usage.InputTokenCount - 1,
            $"cached {second.Usage.InputTokenDetails.CachedTokenCount} of a first prompt of {first.Usage.InputTokenCount}");
    }

    [Fact]
    public async Task Logprobs_come_back_in_openais_shape()
    {
        await using var server = await model.StartAsync();
        var options = Options(3);
        options.IncludeLogProbabilities = true;
        options.TopLogProbabilityCount = 3;
        ChatCompletion c = await Client(server).CompleteChatAsync([new UserChatMessage("hi")], options);
        Assert.InRange(c.ContentTokenLogProbabilities.Count, c.Usage.OutputTokenCount - 1, c.Usage.OutputTokenCount); // an end token carrying no text is not listed
        Assert.All(c.ContentTokenLogProbabilities, t =>
        {
            Assert.True(t.LogProbability <= 0);
            Assert.Equal(3, t.TopLogProbabilities.Count);
        });
    }

    [Fact]
    public async Task Api_keys_are_required_when_configured()
    {
        await using var server = await model.StartAsync(o => o with { ApiKeys = ["s3cret"] });
        var ex = await Assert.ThrowsAsync<ClientResultException>(() => Client(server, "wrong").CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(401, ex.Status);
        ChatCompletion ok = await Client(server, "s3cret").CompleteChatAsync([new UserChatMessage("hi")], Options(1));
        Assert.NotNull(ok.Content);
        using var http = new HttpClient();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync(server.Url + "/health")).StatusCode); // health needs no key
    }
}
