using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace Wallfacer.Server.Collaboration;

/// <summary>
/// Writes a collaborative answer in OpenAI's chat-completion shape — one JSON object, or server-sent events — with
/// the <c>wallfacer</c> decision object beside <c>choices</c>. The answer is whole before the first byte (the
/// cascade must see the local answer to decide), so a stream is the role, the text, the tool calls, then the end.
/// </summary>
internal sealed class CollaborativeResponseWriter(string modelId, ChatResponse response, JsonObject decision)
{
    public string Id { get; } = "chatcmpl-" + Guid.NewGuid().ToString("N");
    private readonly long _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    private readonly string _text = response.Text;
    private readonly List<FunctionCallContent> _calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();

    public Task WriteAsync(HttpContext http)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = _calls.Count > 0 && _text.Length == 0 ? null : _text };
        if (_calls.Count > 0)
            message["tool_calls"] = ToolCalls(withIndex: false);
        var result = Envelope("chat.completion");
        result["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["logprobs"] = null, ["finish_reason"] = FinishReason() });
        result["usage"] = Usage();
        result["wallfacer"] = decision;
        return Results.Json(result).ExecuteAsync(http);
    }

    public async Task StreamAsync(HttpContext http, bool includeUsage, CancellationToken ct)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        await SendAsync(http, Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null), ct);
        if (_text.Length > 0)
            await SendAsync(http, Chunk(new JsonObject { ["content"] = _text }, null), ct);
        if (_calls.Count > 0)
            await SendAsync(http, Chunk(new JsonObject { ["tool_calls"] = ToolCalls(withIndex: true) }, null), ct);
        var last = Chunk(new JsonObject(), FinishReason());
        last["wallfacer"] = decision;
        await SendAsync(http, last, ct);
        if (includeUsage)
        {
            var usage = Envelope("chat.completion.chunk");
            usage["choices"] = new JsonArray();
            usage["usage"] = Usage();
            await SendAsync(http, usage, ct);
        }
        await http.Response.WriteAsync("data: [DONE]\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
    }

    private JsonArray ToolCalls(bool withIndex) => new(_calls.Select((call, i) =>
    {
        var node = new JsonObject
        {
            ["id"] = call.CallId,
            ["type"] = "function",
            ["function"] = new JsonObject
            {
                ["name"] = call.Name,
                ["arguments"] = JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions),
            },
        };
        if (withIndex)
            node["index"] = i;
        return (JsonNode?)node;
    }).ToArray());

    private string FinishReason() =>
        _calls.Count > 0 || response.FinishReason == ChatFinishReason.ToolCalls ? "tool_calls"
        : response.FinishReason == ChatFinishReason.Length ? "length"
        : response.FinishReason == ChatFinishReason.ContentFilter ? "content_filter"
        : "stop";

    private JsonObject Usage()
    {
        long prompt = response.Usage?.InputTokenCount ?? 0, completion = response.Usage?.OutputTokenCount ?? 0;
        return new JsonObject
        {
            ["prompt_tokens"] = prompt,
            ["completion_tokens"] = completion,
            ["total_tokens"] = prompt + completion,
            ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = response.Usage?.CachedInputTokenCount ?? 0 },
        };
    }

    private JsonObject Chunk(JsonObject delta, string? finish)
    {
        var chunk = Envelope("chat.completion.chunk");
        chunk["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["logprobs"] = null, ["finish_reason"] = finish });
        return chunk;
    }

    private JsonObject Envelope(string type) => new() { ["id"] = Id, ["object"] = type, ["created"] = _created, ["model"] = modelId };

    private static async Task SendAsync(HttpContext http, JsonObject payload, CancellationToken ct)
    {
        await http.Response.WriteAsync("data: " + payload.ToJsonString() + "\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
    }
}
