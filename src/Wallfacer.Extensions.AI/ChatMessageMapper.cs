using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Wallfacer.Extensions.AI;

/// <summary>
/// Microsoft.Extensions.AI messages and tools → the OpenAI-shaped JSON that chat templates read
/// (<c>role</c>, <c>content</c>, <c>tool_calls</c>, <c>tool_call_id</c>, <c>reasoning_content</c>), exactly
/// what transformers' <c>apply_chat_template</c> receives.
/// </summary>
internal static class ChatMessageMapper
{
    public static JsonArray ToTemplateMessages(IEnumerable<ChatMessage> messages, string? instructions)
    {
        var array = new JsonArray();
        if (!string.IsNullOrEmpty(instructions))
            array.Add(new JsonObject { ["role"] = "system", ["content"] = instructions });
        foreach (var message in messages)
            foreach (var node in ToTemplateMessages(message))
                array.Add(node);
        return MergeLeadingSystemMessages(array);
    }

    private static IEnumerable<JsonObject> ToTemplateMessages(ChatMessage message)
    {
        var text = new StringBuilder();
        var reasoning = new StringBuilder();
        var toolCalls = new JsonArray();
        var results = new List<JsonObject>();
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent t:
                    text.Append(t.Text);
                    break;
                case TextReasoningContent r:
                    reasoning.Append(r.Text);
                    break;
                case FunctionCallContent call:
                    toolCalls.Add(ToolCall(call));
                    break;
                case FunctionResultContent result:
                    results.Add(new JsonObject
                    {
                        ["role"] = "tool",
                        ["tool_call_id"] = result.CallId,
                        ["content"] = ResultText(result.Result),
                    });
                    break;
                case UsageContent:
                    break;
                default:
                    throw new NotSupportedException(
                        $"A {message.Role} message holds {content.GetType().Name}, which a text-only local model cannot read.");
            }
        }
        if (results.Count > 0 && text.Length == 0 && toolCalls.Count == 0)
            return results; // a tool message: one template message per result
        var node = new JsonObject { ["role"] = message.Role.Value, ["content"] = text.ToString() };
        if (reasoning.Length > 0)
            node["reasoning_content"] = reasoning.ToString();
        if (toolCalls.Count > 0)
            node["tool_calls"] = toolCalls;
        if (message.AuthorName is { Length: > 0 } name)
            node["name"] = name;
        return [node, .. results];
    }

    private static JsonObject ToolCall(FunctionCallContent call) => new()
    {
        ["id"] = call.CallId,
        ["type"] = "function",
        ["function"] = new JsonObject
        {
            ["name"] = call.Name,
            ["arguments"] = JsonSerializer.SerializeToNode(call.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions),
        },
    };

    private static string ResultText(object? result) => result switch
    {
        null => "",
        string s => s,
        JsonElement e when e.ValueKind == JsonValueKind.String => e.GetString()!,
        _ => JsonSerializer.Serialize(result, AIJsonUtilities.DefaultOptions),
    };

    /// <summary>Most templates honour one system message, at the start: instructions and a leading system message become one.</summary>
    private static JsonArray MergeLeadingSystemMessages(JsonArray array)
    {
        if (array.Count < 2 || !IsSystem(array[0]) || !IsSystem(array[1]))
            return array;
        string merged = (string)array[0]!["content"]! + "\n\n" + (string)array[1]!["content"]!;
        array.RemoveAt(0);
        array[0]!["content"] = merged;
        return array;
    }

    private static bool IsSystem(JsonNode? node) =>
        node is JsonObject o && (string?)o["role"] == "system" && o["content"] is JsonValue && o.Count == 2;

    /// <summary>Tools in the OpenAI shape templates expect: <c>{"type": "function", "function": {name, description, parameters}}</c>.</summary>
    public static JsonArray? ToTemplateTools(IList<AITool>? tools)
    {
        if (tools is null || tools.Count == 0)
            return null;
        var array = new JsonArray();
        foreach (var tool in tools)
        {
            if (tool is not AIFunctionDeclaration function)
                throw new NotSupportedException($"Tool '{tool.Name}' is a {tool.GetType().Name}; a local model can call functions only.");
            array.Add(new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject
                {
                    ["name"] = function.Name,
                    ["description"] = function.Description,
                    ["parameters"] = JsonNode.Parse(function.JsonSchema.GetRawText()),
                },
            });
        }
        return array;
    }
}
