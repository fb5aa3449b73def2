using System.Text.Json;
using System.Text.Json.Nodes;

namespace Wallfacer.Inference.Tools;

/// <summary>How the model may use the tools (OpenAI's <c>tool_choice</c>).</summary>
public enum ToolChoiceMode
{
    /// <summary>The model answers in text or calls tools, as it likes.</summary>
    Auto,
    /// <summary>The model does not call tools (they are not even shown to it).</summary>
    None,
    /// <summary>The model must call at least one tool.</summary>
    Required,
    /// <summary>The model must call <see cref="ToolChoice.FunctionName"/>.</summary>
    Function,
}

/// <summary>OpenAI's <c>tool_choice</c>: <c>"auto"</c>, <c>"none"</c>, <c>"required"</c> or one named function.</summary>
public sealed record ToolChoice(ToolChoiceMode Mode, string? FunctionName = null)
{
    public static ToolChoice Auto { get; } = new(ToolChoiceMode.Auto);

    public static ToolChoice None { get; } = new(ToolChoiceMode.None);

    public static ToolChoice Required { get; } = new(ToolChoiceMode.Required);

    public static ToolChoice Function(string name) => new(ToolChoiceMode.Function, name);

    /// <summary>Reads <c>tool_choice</c> (null: auto) and checks a named function is among <paramref name="tools"/>.</summary>
    /// <exception cref="ToolCallException">Not one of the accepted shapes, or an unknown function.</exception>
    public static ToolChoice FromOpenAi(JsonNode? node, IReadOnlyList<ToolDefinition> tools)
    {
        var choice = node switch
        {
            null => Auto,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => (string?)v switch
            {
                "auto" => Auto,
                "none" => None,
                "required" => Required,
                var other => throw new ToolCallException($"tool_choice: '{other}' is not one of auto, none, required or {{\"type\": \"function\", \"function\": {{\"name\": …}}}}."),
            },
            JsonObject o when o["function"] is JsonObject f && f["name"] is JsonValue name && name.GetValueKind() == JsonValueKind.String
                => Function((string)name!),
            _ => throw new ToolCallException("tool_choice: must be \"auto\", \"none\", \"required\" or {\"type\": \"function\", \"function\": {\"name\": …}}."),
        };
        if (choice.Mode is ToolChoiceMode.Required or ToolChoiceMode.Function && tools.Count == 0)
            throw new ToolCallException("tool_choice: a tool call is required but no tools were given.");
        if (choice.Mode == ToolChoiceMode.Function && !tools.Any(t => t.Name == choice.FunctionName))
            throw new ToolCallException($"tool_choice: the function '{choice.FunctionName}' is not among the tools.");
        return choice;
    }
}
