using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using OpenAiChatMessage = OpenAI.Chat.ChatMessage;

namespace Wallfacer.Extensions.AI.Remote;

/// <summary>Microsoft.Extensions.AI messages and options → the OpenAI SDK's types.</summary>
internal static class OpenAiMessageMapper
{
    public static List<OpenAiChatMessage> ToOpenAi(IEnumerable<AiChatMessage> messages, string? instructions)
    {
        var result = new List<OpenAiChatMessage>();
        if (!string.IsNullOrEmpty(instructions))
            result.Add(new SystemChatMessage(instructions));
        foreach (var message in messages)
            result.AddRange(ToOpenAi(message));
        return result;
    }

    private static IEnumerable<OpenAiChatMessage> ToOpenAi(AiChatMessage message)
    {
        string text = string.Concat(message.Contents.OfType<TextContent>().Select(t => t.Text));
        if (message.Role == ChatRole.System)
            return [new SystemChatMessage(text)];
        if (message.Role == ChatRole.User)
            return [new UserChatMessage(text)];
        if (message.Role == ChatRole.Tool)
            return message.Contents.OfType<FunctionResultContent>()
                .Select(r => (OpenAiChatMessage)new ToolChatMessage(r.CallId, ResultText(r.Result))).ToList();
        var calls = message.Contents.OfType<FunctionCallContent>().ToList();
        if (calls.Count == 0)
            return [new AssistantChatMessage(text)];
        var assistant = new AssistantChatMessage(calls.Select(c => ChatToolCall.CreateFunctionToolCall(
            c.CallId, c.Name, BinaryData.FromString(JsonSerializer.Serialize(c.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions)))));
        if (text.Length > 0)
            assistant.Content.Add(ChatMessageContentPart.CreateTextPart(text));
        return [assistant];
    }

    private static string ResultText(object? result) => result switch
    {
        null => "",
        string s => s,
        _ => JsonSerializer.Serialize(result, AIJsonUtilities.DefaultOptions),
    };

    public static ChatCompletionOptions ToOpenAi(ChatOptions? options)
    {
        var result = new ChatCompletionOptions();
        if (options is null)
            return result;
        result.Temperature = options.Temperature;
        result.TopP = options.TopP;
        result.MaxOutputTokenCount = options.MaxOutputTokens;
        result.FrequencyPenalty = options.FrequencyPenalty;
        result.PresencePenalty = options.PresencePenalty;
#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK; OpenAI-compatible servers honour it.
        result.Seed = options.Seed;
#pragma warning restore OPENAI001
        foreach (string stop in options.StopSequences ?? [])
            result.StopSequences.Add(stop);
        foreach (var tool in options.Tools ?? [])
        {
            if (tool is AIFunctionDeclaration f)
                result.Tools.Add(ChatTool.CreateFunctionTool(f.Name, f.Description, BinaryData.FromString(f.JsonSchema.GetRawText())));
        }
        result.ResponseFormat = options.ResponseFormat switch
        {
            ChatResponseFormatJson { Schema: { } schema } json => OpenAI.Chat.ChatResponseFormat.CreateJsonSchemaFormat(
                json.SchemaName ?? "response", BinaryData.FromString(schema.GetRawText()), json.SchemaDescription, jsonSchemaIsStrict: true),
            ChatResponseFormatJson => OpenAI.Chat.ChatResponseFormat.CreateJsonObjectFormat(),
            _ => null,
        };
        return result;
    }
}
