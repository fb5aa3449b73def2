using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Scheduling;

namespace Wallfacer.Server.OpenAi;

/// <summary>Writes a scheduler request as an OpenAI response: one JSON object, or server-sent events flushed per token.</summary>
internal sealed class CompletionWriter(ServedModel served, string objectType, bool logprobs)
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
        var choice = objectType == "chat.completion"
            ? new JsonObject { ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text.ToString() } }
            : new JsonObject { ["index"] = 0, ["text"] = text.ToString() };
        choice["logprobs"] = logprobs ? new JsonObject { ["content"] = tokenLogprobs } : null;
        choice["finish_reason"] = FinishReason(request.FinishReason);
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
        await foreach (var step in request.Steps(ct))
        {
            if (step.Text.Length == 0 && !(logprobs && step.Token >= 0))
                continue;
            var delta = chat ? new JsonObject { ["content"] = step.Text } : null;
            var chunk = Chunk(chunkType, delta, null, logprobs && step.Token >= 0 ? new JsonObject { ["content"] = new JsonArray(Logprob(step)) } : null);
            if (!chat)
                chunk["choices"]![0]!["text"] = step.Text;
            await SendAsync(http, chunk, ct);
        }
        await request.Completion;
        Record(request);
        var last = Chunk(chunkType, chat ? new JsonObject() : null, FinishReason(request.FinishReason), null);
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
