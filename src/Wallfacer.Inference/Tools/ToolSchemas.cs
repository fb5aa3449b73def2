using System.Text.Json;
using System.Text.Json.Nodes;
using Wallfacer.Inference.Grammar;

namespace Wallfacer.Inference.Tools;

/// <summary>
/// JSON Schemas for a call to any of the tools (an <c>anyOf</c> of one object per tool: its name as a constant and its
/// parameters), compiled to GBNF rules for the JSON call formats.
/// </summary>
internal static class ToolSchemas
{
    /// <summary>
    /// <c>{"&lt;nameKey&gt;": "tool", "&lt;argumentsKey&gt;": {…}}</c> for each tool, plus <paramref name="extraProperties"/>
    /// (required, after the arguments).
    /// </summary>
    public static JsonObject CallObject(IReadOnlyList<ToolDefinition> tools, string nameKey, string argumentsKey,
        IReadOnlyDictionary<string, JsonObject>? extraProperties = null)
    {
        var definitions = new JsonObject();
        var alternatives = new JsonArray();
        for (int i = 0; i < tools.Count; i++)
        {
            var parameters = Hoist(tools[i].Parameters, $"t{i}-", definitions);
            var properties = new JsonObject { [nameKey] = new JsonObject { ["const"] = tools[i].Name }, [argumentsKey] = parameters };
            var required = new JsonArray(nameKey, argumentsKey);
            foreach (var (key, schema) in extraProperties ?? new Dictionary<string, JsonObject>())
            {
                properties[key] = schema.DeepClone();
                required.Add(key);
            }
            alternatives.Add(new JsonObject { ["type"] = "object", ["properties"] = properties, ["required"] = required, ["additionalProperties"] = false });
        }
        var call = alternatives.Count == 1 ? (JsonObject)alternatives[0]!.DeepClone() : new JsonObject { ["anyOf"] = alternatives };
        if (definitions.Count > 0)
            call["$defs"] = definitions;
        return call;
    }

    /// <summary>GBNF rules for <paramref name="schema"/> with top rule <paramref name="ruleName"/>.</summary>
    public static string Rules(JsonObject schema, string ruleName, params string[] reserved)
    {
        using var doc = JsonDocument.Parse(schema.ToJsonString());
        return JsonSchemaGrammar.ToGbnfRules(doc.RootElement, ruleName, reserved);
    }

    /// <summary>
    /// A tool's parameter schema made to stand inside the call schema: its <c>$defs</c> move to the top under a
    /// per-tool prefix (references rewritten), and an object without <c>additionalProperties</c> gets
    /// <c>false</c> — a call should carry only the arguments the tool declares.
    /// </summary>
    private static JsonObject Hoist(JsonObject parameters, string prefix, JsonObject definitions)
    {
        var copy = (JsonObject)parameters.DeepClone();
        foreach (string key in new[] { "$defs", "definitions" })
        {
            if (copy[key] is not JsonObject defs)
                continue;
            copy.Remove(key);
            foreach (var (name, schema) in defs)
                definitions[prefix + name] = schema?.DeepClone();
        }
        RewriteReferences(copy, prefix);
        foreach (var (_, schema) in definitions)
            if (schema is JsonObject o) RewriteReferences(o, prefix);
        if (copy["type"] is JsonValue t && (string?)t == "object" && !copy.ContainsKey("additionalProperties"))
            copy["additionalProperties"] = false;
        return copy;
    }

    private static void RewriteReferences(JsonNode? node, string prefix)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["$ref"] is JsonValue r && r.GetValueKind() == JsonValueKind.String)
                {
                    string target = (string)r!;
                    foreach (string root in new[] { "#/$defs/", "#/definitions/" })
                        if (target.StartsWith(root, StringComparison.Ordinal) && !target[root.Length..].StartsWith(prefix, StringComparison.Ordinal))
                            o["$ref"] = "#/$defs/" + prefix + target[root.Length..];
                }
                foreach (var (key, child) in o.ToList())
                    if (key != "$ref") RewriteReferences(child, prefix);
                break;
            case JsonArray a:
                foreach (var child in a)
                    RewriteReferences(child, prefix);
                break;
        }
    }
}
