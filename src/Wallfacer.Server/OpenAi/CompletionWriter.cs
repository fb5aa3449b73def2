using System.Text;
using Microsoft.AspNetCore.Http;
using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Scheduling;
using Wallfacer.Server.OpenAi.Dto;

namespace Wallfacer.Server.OpenAi;

/// <summary>Writes a scheduler request as an OpenAI response: one JSON object, or server-sent events flushed per token.</summary>
internal sealed class CompletionWriter(ServedModel served, string objectType, bool logprobs, Inference.Tools.ToolCallSession? tools = null)
{
    private readonly string _id = (objectType == "chat.completion" ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N");
    private readonly long _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    private bool Chat => objectType == "chat.completion";
    private string ChunkType => Chat ? "chat.completion.chunk" : "text_completion";

    public async Task WriteChatAsync(HttpContext http, BatchRequest request, CancellationToken ct)
    {
        var text = new StringBuilder();
        var tokenLogprobs = new List<TokenLogprob>();
        await foreach (var step in request.Steps(ct))
        {
            text.Append(step.Text);
            if (logprobs && step.Token >= 0)
                tokenLogprobs.Add(Logprob(step));
        }
        await request.Completion;
        Record(request);
        var (content, calls) = tools is null ? (text.ToString(), []) : tools.Finish(text.ToString());
        var choice = new CompletionChoice(0,
            Message: Chat ? new AssistantMessage("assistant", calls.Count > 0 && content.Length == 0 ? null : content,
                calls.Count > 0 ? [.. calls.Select(c => ToolCall(c, index: null))] : null) : null,
            Delta: null,
            Text: Chat ? null : content,
            Logprobs: logprobs ? new Logprobs(tokenLogprobs) : null,
            FinishReason: calls.Count > 0 ? "tool_calls" : FinishReason(request.FinishReason));
        var response = new CompletionResponse(_id, objectType, _created, served.Id, [choice], UsageReport(request));
        await Results.Json(response, OpenAiJsonContext.Wire.CompletionResponse).ExecuteAsync(http);
    }

    public async Task StreamChatAsync(HttpContext http, BatchRequest request, bool includeUsage, CancellationToken ct)
    {
        ServerSentEvents.Start(http.Response);
        if (Chat)
            await SendAsync(http, Chunk(new ChatDelta(Role: "assistant", Content: ""), text: null, finish: null, logprobsOf: null), ct);
        var splitter = tools?.CreateSplitter();
        await foreach (var step in request.Steps(ct))
        {
            // With tools, content is passed on until the model opens a call; the call is sent whole at the end.
            string piece = splitter is null ? step.Text : splitter.Push(step.Text);
            bool withLogprob = logprobs && step.Token >= 0;
            if (piece.Length == 0 && !withLogprob)
                continue;
            await SendAsync(http, ContentChunk(piece, withLogprob ? step : null), ct);
        }
        await request.Completion;
        Record(request);
        string? finish = null;
        if (splitter is not null)
        {
            var (rest, calls) = tools!.Finish(splitter);
            if (rest.Length > 0)
                await SendAsync(http, ContentChunk(rest, null), ct);
            for (int i = 0; i < calls.Count; i++)
                await SendAsync(http, Chunk(new ChatDelta(ToolCalls: [ToolCall(calls[i], i)]), text: null, finish: null, logprobsOf: null), ct);
            if (calls.Count > 0)
                finish = "tool_calls";
        }
        await SendAsync(http, Chunk(Chat ? new ChatDelta() : null, Chat ? null : "", finish ?? FinishReason(request.FinishReason), logprobsOf: null), ct);
        if (includeUsage)
            await SendAsync(http, new CompletionResponse(_id, ChunkType, _created, served.Id, [], UsageReport(request)), ct);
        await ServerSentEvents.EndAsync(http.Response, ct);
    }

    private CompletionResponse ContentChunk(string text, TokenStep? logprobStep) =>
        Chunk(Chat ? new ChatDelta(Content: text) : null, Chat ? null : text, finish: null, logprobStep);

    /// <summary>One streamed chunk: a chat chunk carries a delta, a text-completion chunk its text.</summary>
    private CompletionResponse Chunk(ChatDelta? delta, string? text, string? finish, TokenStep? logprobsOf) =>
        new(_id, ChunkType, _created, served.Id,
            [new CompletionChoice(0, Message: null, delta, text, logprobsOf is { } step ? new Logprobs([Logprob(step)]) : null, finish)]);

    /// <summary>One call in OpenAI's shape; streamed deltas carry their index.</summary>
    private static ToolCallDto ToolCall(Inference.Tools.ToolCall call, int? index) =>
        new(index, call.Id, "function", new FunctionCallDto(call.Name, call.Arguments));

    private void Record(BatchRequest request) =>
        served.Metrics.RecordGeneration(request.PromptTokens.Count, request.CachedPromptTokens, request.GeneratedTokenCount, request.GenerationTime);

    private static Task SendAsync(HttpContext http, CompletionResponse payload, CancellationToken ct) =>
        ServerSentEvents.SendAsync(http.Response, payload, OpenAiJsonContext.Wire.CompletionResponse, ct);

    private TokenLogprob Logprob(TokenStep step) =>
        TokenEntry(step.Token, step.Logprob) with { TopLogprobs = [.. (step.TopLogprobs ?? []).Select(t => TokenEntry(t.Token, t.Logprob))] };

    private TokenLogprob TokenEntry(int token, float logprob)
    {
        string text = served.Model.Tokenizer.Decode([token]);
        return new TokenLogprob(text, logprob, [.. Encoding.UTF8.GetBytes(text).Select(b => (int)b)]);
    }

    private static Usage UsageReport(BatchRequest request) =>
        Usage.Of(request.PromptTokens.Count, request.GeneratedTokenCount, request.CachedPromptTokens);

    private static string FinishReason(FinishReason reason) =>
        reason is Inference.Engine.FinishReason.EndOfGeneration or Inference.Engine.FinishReason.StopString ? "stop" : "length";
}
