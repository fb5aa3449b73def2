using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Wallfacer.Extensions.AI.Collaboration;
using Wallfacer.Server.OpenAi;

namespace Wallfacer.Server.Collaboration;

/// <summary>A chat-completions request read twice: as the template sees it (local side) and as .NET AI messages (privacy check, cloud side).</summary>
internal sealed record ChatRequest(JsonArray TemplateMessages, JsonArray? TemplateTools, List<ChatMessage> Messages, ChatOptions Options);

/// <summary>
/// OpenAI's chat-completions JSON → Microsoft.Extensions.AI messages and options, for the collaborative path: the
/// privacy detector reads them and <c>RemoteChatClient</c> sends them (redacted as the policy says). Text parts,
/// assistant tool calls and tool results are carried; other parts (images) never leave the device. Field types
/// were already checked by <see cref="GenerationRequest.Options"/>, which reads the same body first.
/// </summary>
internal static class ChatRequestMapper
{
    /// <summary>Request key for a declared difficulty: <c>"wallfacer": {"difficulty": "hard"}</c> sends the request straight to the cloud.</summary>
    public const string ExtensionField = "wallfacer";

    public static ChatRequest Read(JsonElement body)
    {
        if (!body.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
            throw OpenAiError.BadRequest("messages must be a non-empty array.", "messages");
        var converted = new List<ChatMessage>();
        int i = 0;
        foreach (var message in messages.EnumerateArray())
            converted.Add(Message(message, i++));
        var tools = RequestReader.Has(body, "tools") ? JsonNode.Parse(body.GetProperty("tools").GetRawText()) as JsonArray
            ?? throw OpenAiError.BadRequest("tools must be an array.", "tools") : null;
        return new ChatRequest(JsonNode.Parse(messages.GetRawText())!.AsArray(), tools, converted, Options(body, tools));
    }

    private static ChatMessage Message(JsonElement message, int i)
    {
        if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("role", out var roleElement) || roleElement.ValueKind != JsonValueKind.String)
            throw OpenAiError.BadRequest($"messages[{i}] must be an object with a string role.", $"messages[{i}]");
        string role = roleElement.GetString()!;
        var contents = new List<AIContent>();
        if (message.TryGetProperty("content", out var content))
        {
            if (content.ValueKind == JsonValueKind.String)
                contents.Add(new TextContent(content.GetString()));
            else if (content.ValueKind == JsonValueKind.Array)
                contents.AddRange(content.EnumerateArray()
                    .Where(p => p.ValueKind == JsonValueKind.Object && p.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
                    .Select(p => new TextContent(p.GetProperty("text").GetString())));
            else if (content.ValueKind != JsonValueKind.Null)
                throw OpenAiError.BadRequest($"messages[{i}].content must be a string, an array of parts or null.", $"messages[{i}].content");
        }
        if (role == "tool")
        {
            string callId = RequestReader.String(message, "tool_call_id") ?? "";
            return new ChatMessage(ChatRole.Tool, [new FunctionResultContent(callId, string.Concat(contents.OfType<TextContent>().Select(t => t.Text)))]);
        }
        if (role == "assistant" && message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
            contents.AddRange(calls.EnumerateArray().Select((c, k) => ToolCall(c, $"messages[{i}].tool_calls[{k}]")));
        return new ChatMessage(role is "developer" ? ChatRole.System : new ChatRole(role), contents);
    }

    private static FunctionCallContent ToolCall(JsonElement call, string path)
    {
        if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object)
            throw OpenAiError.BadRequest($"{path} must be an object with a function.", path);
        string arguments = RequestReader.String(function, "arguments") ?? "{}";
        Dictionary<string, object?>? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<Dictionary<string, object?>>(arguments, AIJsonUtilities.DefaultOptions);
        }
        catch (JsonException ex)
        {
            throw OpenAiError.BadRequest($"{path}.function.arguments is not a JSON object: {ex.Message}", path);
        }
        return new FunctionCallContent(RequestReader.String(call, "id") ?? "", RequestReader.String(function, "name") ?? "", parsed);
    }

    /// <summary>The request's settings as <see cref="ChatOptions"/> (what the cloud gets); GBNF <c>grammar</c> binds only the local model.</summary>
    private static ChatOptions Options(JsonElement body, JsonArray? tools)
    {
        var options = new ChatOptions
        {
            Temperature = (float?)RequestReader.Number(body, "temperature"),
            TopP = (float?)RequestReader.Number(body, "top_p"),
            TopK = (int?)RequestReader.Integer(body, "top_k"),
            MaxOutputTokens = (int?)(RequestReader.Integer(body, "max_completion_tokens") ?? RequestReader.Integer(body, "max_tokens")),
            FrequencyPenalty = (float?)RequestReader.Number(body, "frequency_penalty"),
            PresencePenalty = (float?)RequestReader.Number(body, "presence_penalty"),
            Seed = RequestReader.Integer(body, "seed"),
            StopSequences = RequestReader.Stops(body) is { Length: > 0 } stops ? [.. stops] : null,
            ResponseFormat = ResponseFormat(body),
        };
        if (tools is not null)
            options.Tools = [.. tools.Select((t, i) => Tool(t, i))];
        if (RequestReader.Has(body, ExtensionField) && body.GetProperty(ExtensionField) is { ValueKind: JsonValueKind.Object } extension
            && RequestReader.String(extension, "difficulty") is { } difficulty)
            (options.AdditionalProperties ??= [])[CollaborativeChatClient.DifficultyKey] = difficulty;
        return options;
    }

    private static AITool Tool(JsonNode? tool, int i)
    {
        if (tool?["function"] is not JsonObject function || function["name"]?.GetValueKind() != JsonValueKind.String)
            throw OpenAiError.BadRequest($"tools[{i}] must be {{\"type\": \"function\", \"function\": {{\"name\", …}}}}.", $"tools[{i}]");
        var schema = function["parameters"] is JsonObject parameters
            ? JsonSerializer.SerializeToElement(parameters)
            : JsonSerializer.SerializeToElement(new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() });
        return AIFunctionFactory.CreateDeclaration(function["name"]!.GetValue<string>(), function["description"]?.ToString(), schema);
    }

    private static ChatResponseFormat? ResponseFormat(JsonElement body)
    {
        if (!RequestReader.Has(body, "response_format") || body.GetProperty("response_format") is not { ValueKind: JsonValueKind.Object } format)
            return null;
        return RequestReader.String(format, "type") switch
        {
            "json_object" => ChatResponseFormat.Json,
            "json_schema" when format.TryGetProperty("json_schema", out var js) && js.TryGetProperty("schema", out var schema) =>
                ChatResponseFormat.ForJsonSchema(schema.Clone(), RequestReader.String(js, "name")),
            _ => null,
        };
    }
}
