using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Scheduling;
using Wallfacer.Server.OpenAi;

namespace Wallfacer.Server.Endpoints;

/// <summary>
/// <c>POST /v1/chat/completions</c>: the conversation is rendered with the model's own chat template, queued on
/// the batch scheduler (prefix reuse, continuous batching) and answered as one JSON object or as server-sent
/// events. A client that disconnects cancels its request and frees its slot at the next step.
/// </summary>
internal static class ChatCompletionsEndpoint
{
    public static async Task Handle(HttpContext http, ServedModel served)
    {
        var ct = http.RequestAborted;
        using var doc = await RequestReader.ParseAsync(http.Request.Body, ct);
        var body = RequestReader.Root(doc);
        GenerationRequest.CheckModel(body, served);
        var messages = Messages(body);
        var tools = ToolRequest.Read(body, served);
        string prompt = served.Formatter.Render(messages, tools?.TemplateTools(), addGenerationPrompt: true, cancellationToken: ct)
                        + tools?.PromptSuffix;
        int[] tokens = served.Formatter.Tokenize(prompt);
        if (tokens.Length >= served.Scheduler.ContextLength)
            throw OpenAiError.BadRequest($"The prompt is {tokens.Length} tokens but the context holds {served.Scheduler.ContextLength} (leaving room for at least one generated token).", "messages");
        var options = ToolRequest.Apply(tools, GenerationRequest.Options(body, tokens.Length, served));
        bool stream = RequestReader.Boolean(body, "stream") == true;
        bool includeUsage = stream && RequestReader.Has(body, "stream_options") && body.GetProperty("stream_options") is { ValueKind: JsonValueKind.Object } so
            && RequestReader.Boolean(so, "include_usage") == true;

        var request = served.Scheduler.Submit(tokens, options, ct);
        var reply = new CompletionWriter(served, "chat.completion", options.TopLogprobs > 0, tools);
        if (stream)
            await reply.StreamChatAsync(http, request, includeUsage, ct);
        else
            await reply.WriteChatAsync(http, request, ct);
    }

    /// <summary>The messages as the template receives them; each needs a string role.</summary>
    private static JsonArray Messages(JsonElement body)
    {
        if (!body.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
            throw OpenAiError.BadRequest("messages must be a non-empty array.", "messages");
        int i = 0;
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
                throw OpenAiError.BadRequest($"messages[{i}] must be an object with a string role.", $"messages[{i}]");
            if (message.TryGetProperty("content", out var content) && content.ValueKind is not (JsonValueKind.String or JsonValueKind.Array or JsonValueKind.Null))
                throw OpenAiError.BadRequest($"messages[{i}].content must be a string, an array of parts or null.", $"messages[{i}].content");
            i++;
        }
        return JsonNode.Parse(messages.GetRawText())!.AsArray();
    }
}
