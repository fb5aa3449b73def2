using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;

namespace Wallfacer.Server.Tests;

/// <summary>
/// Function calling through the official OpenAI SDK: a random-weight model under <c>tool_choice: required</c> (or a
/// named function) must still answer with a well-formed call to a declared tool, streamed and not.
/// </summary>
public class ToolCallTests(ModelFile model) : IClassFixture<ModelFile>
{
    private static ChatClient Client(WallfacerServer server) =>
        new("tiny", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(server.Url + "/v1") });

    private static readonly ChatTool Weather = ChatTool.CreateFunctionTool("get_weather", "Weather in a city", BinaryData.FromString("""
        {"type": "object", "properties": {"city": {"type": "string", "maxLength": 12}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["city", "unit"]}
        """));

    private static readonly ChatTool Add = ChatTool.CreateFunctionTool("add", "Adds two integers", BinaryData.FromString("""
        {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}, "required": ["a", "b"]}
        """));

    private static ChatCompletionOptions Options(ChatToolChoice choice, long seed)
    {
        var options = new ChatCompletionOptions { Temperature = 1.0f, MaxOutputTokenCount = 600, ToolChoice = choice, AllowParallelToolCalls = false };
#pragma warning disable OPENAI001
        options.Seed = seed;
#pragma warning restore OPENAI001
        options.Tools.Add(Weather);
        options.Tools.Add(Add);
        return options;
    }

    [Fact]
    public async Task A_required_call_comes_back_as_tool_calls_with_valid_arguments()
    {
        await using var server = await model.StartAsync(o => o with { ContextLength = 2048 });
        ChatCompletion reply = await Client(server).CompleteChatAsync([new UserChatMessage("weather in Oslo?")], Options(ChatToolChoice.CreateRequiredChoice(), 4));
        Assert.Equal(ChatFinishReason.ToolCalls, reply.FinishReason);
        var call = Assert.Single(reply.ToolCalls);
        Assert.Contains(call.FunctionName, new[] { "get_weather", "add" });
        AssertArguments(call.FunctionName, call.FunctionArguments.ToString());
        Assert.False(string.IsNullOrEmpty(call.Id));
    }

    [Fact]
    public async Task A_named_function_is_streamed_as_tool_call_deltas()
    {
        await using var server = await model.StartAsync(o => o with { ContextLength = 2048 });
        string? name = null, id = null;
        var arguments = new StringBuilder();
        ChatFinishReason? finish = null;
        await foreach (var update in Client(server).CompleteChatStreamingAsync([new UserChatMessage("add 2 and 3")],
                           Options(ChatToolChoice.CreateFunctionChoice("add"), 9)))
        {
            foreach (var part in update.ToolCallUpdates)
            {
                name ??= part.FunctionName;
                id ??= part.ToolCallId;
                arguments.Append(part.FunctionArgumentsUpdate?.ToString());
            }
            finish ??= update.FinishReason;
        }
        Assert.Equal("add", name);
        Assert.False(string.IsNullOrEmpty(id));
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        AssertArguments("add", arguments.ToString());
    }

    [Fact]
    public async Task The_tool_result_goes_back_through_the_template_and_the_conversation_continues()
    {
        await using var server = await model.StartAsync(o => o with { ContextLength = 2048 });
        var client = Client(server);
        List<ChatMessage> messages = [new UserChatMessage("add 2 and 3")];
        ChatCompletion first = await client.CompleteChatAsync(messages, Options(ChatToolChoice.CreateFunctionChoice("add"), 2));
        messages.Add(new AssistantChatMessage(first.ToolCalls));
        messages.Add(new ToolChatMessage(first.ToolCalls[0].Id, "5"));
        var options = Options(ChatToolChoice.CreateAutoChoice(), 3);
        options.MaxOutputTokenCount = 8;
        ChatCompletion second = await client.CompleteChatAsync(messages, options);
        Assert.Empty(second.ToolCalls);
        Assert.True(second.Usage.InputTokenCount > first.Usage.InputTokenCount);
    }

    [Theory]
    [InlineData("""{"tools": "nope"}""", "tools")]
    [InlineData("""{"tools": [{"type": "function", "function": {"name": "bad name"}}]}""", "tools[0].function.name")]
    [InlineData("""{"tools": [{"type": "function", "function": {"name": "f"}}], "tool_choice": {"type": "function", "function": {"name": "g"}}}""", "'g'")]
    [InlineData("""{"tool_choice": "required"}""", "no tools")]
    [InlineData("""{"tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {"u": {"type": "string", "format": "hostname"}}}}}], "tool_choice": "required"}""", "hostname")]
    public async Task Bad_tools_are_a_400_naming_the_problem(string fields, string expected)
    {
        await using var server = await model.StartAsync(o => o with { ContextLength = 2048 });
        var body = JsonNode.Parse(fields)!.AsObject();
        body["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" });
        using var http = new HttpClient();
        var response = await http.PostAsync(server.Url + "/v1/chat/completions", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
    }

    private static void AssertArguments(string function, string json)
    {
        var args = JsonNode.Parse(json)!.AsObject();
        if (function == "add")
        {
            Assert.Equal(["a", "b"], args.Select(p => p.Key).Order());
            Assert.All(args, p => Assert.Equal(JsonValueKind.Number, p.Value!.GetValueKind()));
        }
        else
        {
            Assert.InRange(((string?)args["city"])!.Length, 0, 12);
            Assert.Contains((string?)args["unit"], new[] { "celsius", "fahrenheit" });
        }
    }
}
