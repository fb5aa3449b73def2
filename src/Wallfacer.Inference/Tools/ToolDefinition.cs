using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Wallfacer.Inference.Tools;

/// <summary>A function the model may call: its name, what it does, and a JSON Schema for its arguments.</summary>
public sealed partial record ToolDefinition
{
    /// <summary>Most tools one request may declare (each adds to the prompt and to the call grammar).</summary>
    public const int MaxTools = 128;

    public ToolDefinition(string name, string? description, JsonObject? parameters)
    {
        if (string.IsNullOrEmpty(name) || !ValidName().IsMatch(name))
            throw new ArgumentException($"The tool name '{name}' is not valid: 1 to 64 letters, digits, '_', '-' or '.'.", nameof(name));
        Name = name;
        Description = description;
        Parameters = parameters ?? new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() };
    }

    public string Name { get; }

    public string? Description { get; }

    /// <summary>The arguments' JSON Schema (an object schema; an empty one when the tool takes none).</summary>
    public JsonObject Parameters { get; }

    /// <summary>
    /// Reads OpenAI's <c>tools</c> array (<c>[{"type": "function", "function": {name, description, parameters}}]</c>).
    /// </summary>
    /// <exception cref="ToolCallException">A malformed entry (the message names its index and field).</exception>
    public static IReadOnlyList<ToolDefinition> FromOpenAi(JsonArray tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        if (tools.Count > MaxTools)
            throw new ToolCallException($"tools: {tools.Count} tools; at most {MaxTools} are accepted.");
        var result = new List<ToolDefinition>(tools.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < tools.Count; i++)
        {
            var definition = Read(tools[i], $"tools[{i}]");
            if (!names.Add(definition.Name))
                throw new ToolCallException($"tools[{i}].function.name: '{definition.Name}' is declared twice.");
            result.Add(definition);
        }
        return result;
    }

    /// <summary>OpenAI's shape, which chat templates expect in their <c>tools</c> variable.</summary>
    public JsonObject ToOpenAi()
    {
        var function = new JsonObject { ["name"] = Name };
        if (Description is not null)
            function["description"] = Description;
        function["parameters"] = Parameters.DeepClone();
        return new JsonObject { ["type"] = "function", ["function"] = function };
    }

    private static ToolDefinition Read(JsonNode? node, string where)
    {
        if (node is not JsonObject tool)
            throw new ToolCallException($"{where}: must be an object.");
        if (tool["type"] is { } type && (type.GetValueKind() != JsonValueKind.String || (string?)type != "function"))
            throw new ToolCallException($"{where}.type: only \"function\" tools are supported.");
        if (tool["function"] is not JsonObject function)
            throw new ToolCallException($"{where}.function: must be an object.");
        if (function["name"] is not JsonValue nameValue || nameValue.GetValueKind() != JsonValueKind.String)
            throw new ToolCallException($"{where}.function.name: must be a string.");
        string name = (string)nameValue!;
        if (!ValidName().IsMatch(name))
            throw new ToolCallException($"{where}.function.name: '{name}' is not valid (1 to 64 letters, digits, '_', '-' or '.').");
        string? description = function["description"] switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => (string?)v,
            _ => throw new ToolCallException($"{where}.function.description: must be a string."),
        };
        JsonObject? parameters = function["parameters"] switch
        {
            null => null,
            JsonObject o => (JsonObject)o.DeepClone(),
            _ => throw new ToolCallException($"{where}.function.parameters: must be a JSON Schema object."),
        };
        return new ToolDefinition(name, description, parameters);
    }

    [GeneratedRegex("^[A-Za-z0-9_.\\-]{1,64}$")]
    private static partial Regex ValidName();
}
