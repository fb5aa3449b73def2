using System.ClientModel;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Wallfacer.Extensions.AI.Remote;

namespace Wallfacer.Extensions.AI.Tests.Remote;

public class RemoteChatClientTests
{
    private static RemoteChatClient Client(FakeOpenAiServer server, int retries = 0, double timeoutSeconds = 10) => new(new RemoteChatClientOptions
    {
        Endpoint = server.Endpoint, Model = "cloud-model", ApiKey = "test-key", MaxRetries = retries,
        Timeout = TimeSpan.FromSeconds(timeoutSeconds),
    });

    [Fact]
    public async Task Streams_text_usage_and_finish_reason_and_sends_the_options()
    {
        using var server = new FakeOpenAiServer();
        using var client = Client(server);
        var options = new ChatOptions { Temperature = 0.25f, MaxOutputTokens = 50, StopSequences = ["\n\n"], Seed = 7, Instructions = "be brief" };
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "capital of France?")], options);

        Assert.Equal(server.Answer, response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(12, response.Usage!.InputTokenCount);
        Assert.Equal(4, response.Usage.CachedInputTokenCount);
        var sent = JsonNode.Parse(server.Requests.Single())!;
        Assert.Equal(0.25, (double)sent["temperature"]!, 5);
        Assert.Equal(7, (int)sent["seed"]!);
        Assert.Equal("system", (string?)sent["messages"]![0]!["role"]);
        Assert.Equal("be brief", (string?)sent["messages"]![0]!["content"]);
        Assert.Equal("capital of France?", (string?)sent["messages"]![1]!["content"]);
    }

    [Fact]
    public async Task Tool_calls_come_back_as_function_call_content()
    {
        using var server = new FakeOpenAiServer { ToolCall = ("get_weather", """{"city":"Paris"}""") };
        using var client = Client(server);
        var tool = AIFunctionFactory.Create((string city) => $"sunny in {city}", "get_weather");
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "weather?")], new ChatOptions { Tools = [tool] });
        var call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single();
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("Paris", call.Arguments!["city"]?.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal("get_weather", (string?)JsonNode.Parse(server.Requests.Single())!["tools"]![0]!["function"]!["name"]);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff_then_succeed()
    {
        using var server = new FakeOpenAiServer();
        server.FailWith.Enqueue(500);
        server.FailWith.Enqueue(503);
        using var client = Client(server, retries: 2);
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);
        Assert.Equal(server.Answer, response.Text);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task A_persistent_error_surfaces_as_an_exception_with_the_status()
    {
        using var server = new FakeOpenAiServer();
        server.FailWith.Enqueue(401);
        using var client = Client(server, retries: 2);
        var ex = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]));
        Assert.Equal(401, ex.Status);
    }

    [Fact]
    public async Task A_stream_cut_mid_answer_is_an_error_not_a_short_answer()
    {
        using var server = new FakeOpenAiServer { CutStream = true };
        using var client = Client(server, retries: 0);
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Assert.ThrowsAnyAsync<IOException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], cancellationToken: guard.Token));
    }

    [Fact]
    public async Task A_slow_server_times_out_instead_of_hanging()
    {
        using var server = new FakeOpenAiServer { FirstByteDelay = TimeSpan.FromSeconds(20) };
        using var client = Client(server, retries: 0, timeoutSeconds: 1);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<Exception>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }
}
