using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Wallfacer.Server.OpenAi;

namespace Wallfacer.Server.Endpoints;

/// <summary><c>POST /v1/completions</c>: a raw prompt (string, or an array of token ids) continued as is.</summary>
internal static class CompletionsEndpoint
{
    public static async Task Handle(HttpContext http, ServedModel served)
    {
        var ct = http.RequestAborted;
        using var doc = await RequestReader.ParseAsync(http.Request.Body, ct);
        var body = RequestReader.Root(doc);
        GenerationRequest.CheckModel(body, served);
        int[] tokens = Prompt(body, served);
        if (tokens.Length == 0)
            throw OpenAiError.BadRequest("prompt is empty.", "prompt");
        if (tokens.Length >= served.Scheduler.ContextLength)
            throw OpenAiError.BadRequest($"The prompt is {tokens.Length} tokens but the context holds {served.Scheduler.ContextLength}.", "prompt");
        var options = GenerationRequest.Options(body, tokens.Length, served) with { ParseSpecialTokens = false };
        var request = served.Scheduler.Submit(tokens, options, ct);
        var writer = new CompletionWriter(served, "text_completion", options.TopLogprobs > 0);
        if (RequestReader.Boolean(body, "stream") == true)
            await writer.StreamChatAsync(http, request, includeUsage: false, ct);
        else
            await writer.WriteChatAsync(http, request, ct);
    }

    private static int[] Prompt(JsonElement body, ServedModel served)
    {
        if (!body.TryGetProperty("prompt", out var prompt))
            throw OpenAiError.BadRequest("prompt is required.", "prompt");
        if (prompt.ValueKind == JsonValueKind.String)
            return served.Model.Tokenizer.Encode(prompt.GetString()!, addSpecial: true, parseSpecial: false);
        if (prompt.ValueKind == JsonValueKind.Array && prompt.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int t) && t >= 0 && t < served.Model.Config.VocabSize))
            return prompt.EnumerateArray().Select(e => e.GetInt32()).ToArray();
        throw OpenAiError.BadRequest($"prompt must be a string or an array of token ids below {served.Model.Config.VocabSize}.", "prompt");
    }
}
