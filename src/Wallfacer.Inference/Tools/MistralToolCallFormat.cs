using System.Text.Json.Nodes;

namespace Wallfacer.Inference.Tools;

/// <summary>
/// Mistral (Nemo, Small 3.x): <c>[TOOL_CALLS][{"name": …, "arguments": {…}, "id": "abc123xyz"}, …]</c>; the ids are
/// nine letters or digits, as Mistral's templates require when the calls come back in the history.
/// </summary>
public sealed class MistralToolCallFormat : ToolCallFormat
{
    public override string Name => "mistral";

    public override string Opening => "[TOOL_CALLS]";

    protected override string BodyGrammar(IReadOnlyList<ToolDefinition> tools, bool parallel)
    {
        var id = new Dictionary<string, JsonObject> { ["id"] = new() { ["type"] = "string", ["pattern"] = "^[a-zA-Z0-9]{9}$" } };
        var list = new JsonObject
        {
            ["type"] = "array", ["items"] = ToolSchemas.CallObject(tools, "name", "arguments", id), ["minItems"] = 1,
        };
        if (!parallel)
            list["maxItems"] = 1;
        if (list["items"]!["$defs"] is JsonObject defs)
        {
            ((JsonObject)list["items"]!).Remove("$defs");
            list["$defs"] = defs;
        }
        return $"{Body} ::= tc-calls\n" + ToolSchemas.Rules(list, "tc-calls", Body);
    }

    protected override IReadOnlyList<ParsedToolCall>? ParseSection(string section)
    {
        if (!JsonPrefix.TryRead(section[Opening.Length..], out var value, out _) || value is not JsonArray array)
            return null;
        var calls = new List<ParsedToolCall>();
        foreach (var item in array)
        {
            if (item is not JsonObject call || HermesToolCallFormat.ReadCall(call) is not { } parsed)
                return null;
            calls.Add(parsed);
        }
        return calls;
    }
}
