using System.ComponentModel;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Wallfacer.Extensions.AI.Tests;

/// <summary>
/// Tools through <see cref="IChatClient"/>: AIFunctions made with <see cref="AIFunctionFactory"/> are rendered, the
/// call grammar makes even a random-weight model call them well-formed, and the calls come back as
/// <see cref="FunctionCallContent"/>; results go back as <see cref="FunctionResultContent"/>.
/// </summary>
public class FunctionCallingTests(ChatModelFixture fixture) : IClassFixture<ChatModelFixture>
{
    [Description("Adds two integers")]
    private static int Add(int a, int b) => a + b;

    [Description("The local time")]
    private static string Now() => DateTimeOffset.Now.ToString("O");

    private WallfacerChatClient Client() => new(fixture.Model, new WallfacerChatClientOptions { ContextLength = 1024, Threads = 1, MaxSessions = 2 });

    private static ChatOptions Options(ChatToolMode mode, long seed) => new()
    {
        Tools = [AIFunctionFactory.Create(Add, "add"), AIFunctionFactory.Create(Now, "now")],
        ToolMode = mode, AllowMultipleToolCalls = false, Seed = seed, Temperature = 1f, MaxOutputTokens = 300,
    };

    [Fact]
    public async Task A_required_function_comes_back_as_a_FunctionCallContent_with_typed_arguments()
    {
        using var client = Client();
        var response = await client.GetResponseAsync("add 2 and 3", Options(ChatToolMode.RequireSpecific("add"), 4));
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("add", call.Name);
        Assert.False(string.IsNullOrEmpty(call.CallId));
        Assert.Equal(["a", "b"], call.Arguments!.Keys.Order());
        Assert.All(call.Arguments.Values, v => Assert.Equal(JsonValueKind.Number, Assert.IsType<JsonElement>(v).ValueKind));
    }

    [Fact]
    public async Task Streaming_yields_the_call_and_the_result_goes_back_into_the_conversation()
    {
        using var client = Client();
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("add 2 and 3", Options(ChatToolMode.RequireAny, 7)))
            updates.Add(update);
        var call = Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        Assert.Contains(call.Name, new[] { "add", "now" });
        Assert.Equal(ChatFinishReason.ToolCalls, updates.Last().FinishReason);

        List<ChatMessage> conversation =
        [
            new(ChatRole.User, "add 2 and 3"),
            new(ChatRole.Assistant, [call]),
            new(ChatRole.Tool, [new FunctionResultContent(call.CallId, 5)]),
        ];
        var options = Options(ChatToolMode.None, 8);
        options.MaxOutputTokens = 6;
        var answer = await client.GetResponseAsync(conversation, options);
        Assert.Empty(answer.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.True(answer.Usage!.InputTokenCount > 10);
    }

    [Fact]
    public async Task A_required_function_that_is_not_among_the_tools_is_refused()
    {
        using var client = Client();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("hi", Options(ChatToolMode.RequireSpecific("missing"), 1)));
        Assert.Contains("'missing'", error.Message);
    }
}
