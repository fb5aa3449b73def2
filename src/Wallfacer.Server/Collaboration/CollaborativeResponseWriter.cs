using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Wallfacer.Server.OpenAi;
using Wallfacer.Server.OpenAi.Dto;

namespace Wallfacer.Server.Collaboration;

/// <summary>
/// Writes a collaborative answer in OpenAI's chat-completion shape — one JSON object, or server-sent events — with
/// the <c>wallfacer</c> decision object beside <c>choices</c>. The answer is whole before the first byte (the
/// cascade must see the local answer to decide), so a stream is the role, the text, the tool calls, then the end.
/// </summary>
internal sealed class CollaborativeResponseWriter(string modelId, ChatResponse response, DecisionDto decision)
{
    private const string ChunkType = "chat.completion.chunk";

    public string Id { get; } = "chatcmpl-" + Guid.NewGuid().ToString("N");
    private readonly long _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    private readonly string _text = response.Text;
    private readonly List<FunctionCallContent> _calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();

    public Task WriteAsync(HttpContext http)
    {
        var message = new AssistantMessage("assistant", _calls.Count > 0 && _text.Length == 0 ? null : _text,
            _calls.Count > 0 ? ToolCalls(withIndex: false) : null);
        var result = new CompletionResponse(Id, "chat.completion", _created, modelId,
            [new CompletionChoice(0, message, Delta: null, Text: null, Logprobs: null, FinishReason())], UsageReport(), decision);
        return Results.Json(result, OpenAiJsonContext.Wire.CompletionResponse).ExecuteAsync(http);
    }

    public async Task StreamAsync(HttpContext http, bool includeUsage, CancellationToken ct)
    {
        ServerSentEvents.Start(http.Response);
        await SendAsync(http, Chunk(new ChatDelta(Role: "assistant", Content: ""), null), ct);
        if (_text.Length > 0)
            await SendAsync(http, Chunk(new ChatDelta(Content: _text), null), ct);
        if (_calls.Count > 0)
            await SendAsync(http, Chunk(new ChatDelta(ToolCalls: ToolCalls(withIndex: true)), null), ct);
        await SendAsync(http, Chunk(new ChatDelta(), FinishReason()) with { Wallfacer = decision }, ct);
        if (includeUsage)
            await SendAsync(http, new CompletionResponse(Id, ChunkType, _created, modelId, [], UsageReport()), ct);
        await ServerSentEvents.EndAsync(http.Response, ct);
    }

    private List<ToolCallDto> ToolCalls(bool withIndex) => [.. _calls.Select((call, i) => new ToolCallDto(
        withIndex ? i : null, call.CallId, "function",
        new FunctionCallDto(call.Name, JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions))))];

    private string FinishReason() =>
        _calls.Count > 0 || response.FinishReason == ChatFinishReason.ToolCalls ? "tool_calls"
        : response.FinishReason == ChatFinishReason.Length ? "length"
        : response.FinishReason == ChatFinishReason.ContentFilter ? "content_filter"
        : "stop";

    private Usage UsageReport() => Usage.Of(response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0,
        response.Usage?.CachedInputTokenCount ?? 0);

    private CompletionResponse Chunk(ChatDelta delta, string? finish) =>
        new(Id, ChunkType, _created, modelId, [new CompletionChoice(0, Message: null, delta, Text: null, Logprobs: null, finish)]);

    private static Task SendAsync(HttpContext http, CompletionResponse payload, CancellationToken ct) =>
        ServerSentEvents.SendAsync(http.Response, payload, OpenAiJsonContext.Wire.CompletionResponse, ct);
}
