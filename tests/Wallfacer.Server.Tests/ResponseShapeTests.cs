using System.Text.Json;
using Wallfacer.Server.OpenAi.Dto;

namespace Wallfacer.Server.Tests;

/// <summary>
/// The source-generated response shapes keep OpenAI's conventions: keys that OpenAI always sends are present even
/// when null, optional parts are left out, names are snake_case, token bytes are numbers.
/// </summary>
public sealed class ResponseShapeTests
{
    private static JsonElement Serialize(CompletionResponse response) =>
        JsonDocument.Parse(JsonSerializer.Serialize(response, OpenAiJsonContext.Wire.CompletionResponse)).RootElement;

    [Fact]
    public void A_tool_call_answer_has_null_content_and_snake_case_keys()
    {
        var call = new ToolCallDto(null, "call_1", "function", new FunctionCallDto("get_weather", "{\"city\":\"Paris\"}"));
        var json = Serialize(new CompletionResponse("chatcmpl-1", "chat.completion", 42, "m",
            [new CompletionChoice(0, new AssistantMessage("assistant", null, [call]), null, null, null, "tool_calls")],
            Usage.Of(10, 5, 3)));

        var choice = json.GetProperty("choices")[0];
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("message").GetProperty("content").ValueKind);
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
        Assert.False(choice.TryGetProperty("delta", out _));
        Assert.False(choice.TryGetProperty("text", out _));
        var toolCall = choice.GetProperty("message").GetProperty("tool_calls")[0];
        Assert.False(toolCall.TryGetProperty("index", out _));
        Assert.Equal("get_weather", toolCall.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal(15, json.GetProperty("usage").GetProperty("total_tokens").GetInt64());
        Assert.Equal(3, json.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt64());
        Assert.False(json.TryGetProperty("wallfacer", out _));
    }

    [Fact]
    public void A_stream_chunk_has_a_delta_a_null_finish_reason_and_no_usage()
    {
        var json = Serialize(new CompletionResponse("chatcmpl-1", "chat.completion.chunk", 42, "m",
            [new CompletionChoice(0, null, new ChatDelta(Content: "Hi"), null, null, null)]));

        var choice = json.GetProperty("choices")[0];
        Assert.Equal("Hi", choice.GetProperty("delta").GetProperty("content").GetString());
        Assert.False(choice.GetProperty("delta").TryGetProperty("role", out _));
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("finish_reason").ValueKind);
        Assert.False(choice.TryGetProperty("message", out _));
        Assert.False(json.TryGetProperty("usage", out _));
    }

    [Fact]
    public void Token_bytes_are_a_list_of_numbers_and_top_logprobs_do_not_nest()
    {
        var top = new TokenLogprob("é", -0.5f, [0xC3, 0xA9]);
        var sampled = new TokenLogprob("é", -0.5f, [0xC3, 0xA9], [top]);
        var json = Serialize(new CompletionResponse("cmpl-1", "text_completion", 42, "m",
            [new CompletionChoice(0, null, null, "é", new Logprobs([sampled]), "stop")]));

        var entry = json.GetProperty("choices")[0].GetProperty("logprobs").GetProperty("content")[0];
        Assert.Equal([0xC3, 0xA9], entry.GetProperty("bytes").EnumerateArray().Select(b => b.GetInt32()));
        var alternative = entry.GetProperty("top_logprobs")[0];
        Assert.False(alternative.TryGetProperty("top_logprobs", out _));
        Assert.Equal("é", json.GetProperty("choices")[0].GetProperty("text").GetString());
    }
}
