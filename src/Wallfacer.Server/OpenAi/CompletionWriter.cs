using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Scheduling;

namespace Wallfacer.Server.OpenAi;

/// <summary>Writes a scheduler request as an OpenAI response: one JSON object, or server-sent events flushed per token.</summary>
internal sealed class CompletionWriter(ServedModel served, string objectType, bool logprobs, Inference.Tools.ToolCallSession? tools = null)
{
    private readonly string _id = (objectType == "chat.completion" ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N");
    private readonly long _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public async Task WriteChatAsync(HttpContext http, BatchRequest request, CancellationToken ct)
    {
        var text = new StringBuilder();
        var tokenLogprobs = new JsonArray();
        await foreach (var step in request.Steps(ct))
        {
            text.Append(step.Text);
            if (logprobs && step.Token >= 0)
                tokenLogprobs.Add(Logprob(step));
        }
        await request.Completion;
        Record(request);
        var (content, calls) = tools is null ? (text.ToString(), []) : tools.Finish(text.ToString());
        var message = new JsonObject { ["role"] = "assistant", ["content"] = calls.Count > 0 && content.Length == 0 ? null : content };
        if (calls.Count > 0)
            message["tool_calls"] = new JsonArray([.. calls.Select(c => (JsonNode)ToolCallNode(c, index: null))]);
        var choice = objectType == "chat.completion"
            ? new JsonObject { ["index"] = 0, ["message"] = message }
            : new JsonObject { ["index"] = 0, ["text"] = content };
        choice["logprobs"] = logprobs ? new JsonObject { ["content"] = tokenLogprobs } : null;
        choice["finish_reason"] = calls.Count > 0 ? "tool_calls" : FinishReason(request.FinishReason);
        var response = Envelope(objectType);
        response["choices"] = new JsonArray(choice);
        response["usage"] = Usage(request);
        await Results.Json(response).ExecuteAsync(http);
    }

    public async Task StreamChatAsync(HttpContext http, BatchRequest request, bool includeUsage, CancellationToken ct)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        bool chat = objectType == "chat.completion";
        string chunkType = chat ? "chat.completion.chunk" : "text_completion";
        if (chat)
            await SendAsync(http, Chunk(chunkType, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null, null), ct);
        var splitter = tools?.CreateSplitter();
        await foreach (var step in request.Steps(ct))
        {
            // With tools, content is passed on until the model opens a call; the call is sent whole at the end.
            string piece = splitter is null ? step.Text : splitter.Push(step.Text);
            if (piece.Length == 0 && !(logprobs && step.Token >= 0))
                continue;
            await SendAsync(http, ContentChunk(chunkType, chat, piece, logprobs && step.Token >= 0 ? step : null), ct);
        }
        await request.Completion;
        Record(request);
        string? finish = null;
        if (splitter is not null)
        {
            var (rest, calls) = tools!.Finish(splitter);
            if (rest.Length > 0)
                await SendAsync(http, ContentChunk(chunkType, chat, rest, null), ct);
            for (int i = 0; i < calls.Count; i++)
                await SendAsync(http, Chunk(chunkType, new JsonObject { ["tool_calls"] = new JsonArray(ToolCallNode(calls[i], i)) }, null, null), ct);
            if (calls.Count > 0)
                finish = "tool_calls";
        }
        var last = Chunk(chunkType, chat ? new JsonObject() : null, finish ?? FinishReason(request.FinishReason), null);
        if (!chat)
            last["choices"]![0]!["text"] = "";
        await SendAsync(http, last, ct);
        if (includeUsage)
        {
            var usage = Envelope(chunkType);
            usage["choices"] = new JsonArray();
            usage["usage"] = Usage(request);
            await SendAsync(http, usage, ct);
        }
        await http.Response.WriteAsync("data: [DONE]\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
    }

    private JsonObject ContentChunk(string chunkType, bool chat, string text, TokenStep? logprobStep)
    {
        var chunk = Chunk(chunkType, chat ? new JsonObject { ["content"] = text } : null, null,
            logprobStep is { } step ? new JsonObject { ["content"] = new JsonArray(Logprob(step)) } : null);
        if (!chat)
            chunk["choices"]![0]!["text"] = text;
        return chunk;
    }

    /// <summary>One call in OpenAI's shape; streamed deltas carry their index.</summary>
    private static JsonObject ToolCallNode(Inference.Tools.ToolCall call, int? index)
    {
        var node = new JsonObject();
        if (index is int i)
            node["index"] = i;
        node["id"] = call.Id;
        node["type"] = "function";
        node["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.Arguments };
        return node;
    }

    private void Record(BatchRequest request) =>
        served.Metrics.RecordGeneration(request.PromptTokens.Count, request.CachedPromptTokens, request.GeneratedTokenCount, request.GenerationTime);

    private JsonObject Chunk(string type, JsonObject? delta, string? finish, JsonObject? logprobsNode)
    {
        var choice = new JsonObject { ["index"] = 0 };
        if (delta is not null)
            choice["delta"] = delta;
        choice["logprobs"] = logprobsNode;
        choice["finish_reason"] = finish;
        var chunk = Envelope(type);
        chunk["choices"] = new JsonArray(choice);
        return chunk;
    }

    private JsonObject Envelope(string type) => new()
    {
        ["id"] = _id,
        ["object"] = type,
        ["created"] = _created,
        ["model"] = served.Id,
    };

    private static async Task SendAsync(HttpContext http, JsonObject payload, CancellationToken ct)
    {
        await http.Response.WriteAsync("data: " + payload.ToJsonString() + "\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
    }

    private JsonObject Logprob(TokenStep step)
    {
        var node = TokenNode(step.Token, step.Logprob);
        var top = new JsonArray();
        foreach (var t in step.TopLogprobs ?? [])
            top.Add(TokenNode(t.Token, t.Logprob));
        node["top_logprobs"] = top;
        return node;
    }

    private JsonObject TokenNode(int token, float logprob)
    {
        string text = served.Model.Tokenizer.Decode([token]);
        return new JsonObject
        {
            ["token"] = text,
            ["logprob"] = logprob,
            ["bytes"] = new JsonArray(Encoding.UTF8.GetBytes(text).Select(b => (JsonNode)(int)b).ToArray()),
        };
    }

    private JsonObject Usage(BatchRequest request) => new()
    {
        ["prompt_tokens"] = request.PromptTokens.Count,
        ["completion_tokens"] = request.GeneratedTokenCount,
        ["total_tokens"] = request.PromptTokens.Count + request.GeneratedTokenCount,
        ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = request.CachedPromptTokens },
    };

    private static string FinishReason(FinishReason reason) =>
        reason is Inference.Engine.FinishReason.EndOfGeneration or Inference.Engine.FinishReason.StopString ? "stop" : "length";
}
