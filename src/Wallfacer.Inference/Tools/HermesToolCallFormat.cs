using System.Text.Json.Nodes;

namespace Wallfacer.Inference.Tools;

/// <summary>
/// Qwen2.5, Qwen3 and Hermes: each call is <c>&lt;tool_call&gt;\n{"name": …, "arguments": {…}}\n&lt;/tool_call&gt;</c>,
/// several in a row for parallel calls. Also the fallback for templates with no tool syntax of their own.
/// </summary>
public sealed class HermesToolCallFormat : ToolCallFormat
{
    private const string Open = "<tool_call>", Close = "</tool_call>";

    public override string Name => "hermes";

    public override string Opening => Open;

    protected override string BodyGrammar(IReadOnlyList<ToolDefinition> tools, bool parallel)
    {
        string next = parallel ? $" ( \"\\n\"? {GrammarLiteral(Open)} {Body} )?" : "";
        return $"{Body} ::= \"\\n\"? tc-call {GrammarLiteral(Close)}{next}\n"
               + ToolSchemas.Rules(ToolSchemas.CallObject(tools, "name", "arguments"), "tc-call", Body);
    }

    protected override IReadOnlyList<ParsedToolCall>? ParseSection(string section)
    {
        var calls = new List<ParsedToolCall>();
        string rest = section;
        while (rest.TrimStart().StartsWith(Open, StringComparison.Ordinal))
        {
            rest = rest.TrimStart()[Open.Length..];
            // A call cut off (by the token limit) ends the list: the complete calls before it still count.
            if (!JsonPrefix.TryRead(rest, out var value, out rest) || value is not JsonObject call || ReadCall(call) is not { } parsed)
                return calls.Count > 0 ? calls : null;
            calls.Add(parsed);
            rest = rest.TrimStart();
            if (rest.StartsWith(Close, StringComparison.Ordinal))
                rest = rest[Close.Length..];
        }
        return calls;
    }

    internal static ParsedToolCall? ReadCall(JsonObject call, string argumentsKey = "arguments")
    {
        if (call["name"] is not JsonValue name || name.GetValueKind() != System.Text.Json.JsonValueKind.String)
            return null;
        string? arguments = JsonPrefix.ArgumentsText(call[argumentsKey] ?? call["arguments"] ?? call["parameters"]);
        string? id = call["id"] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string?)v : null;
        return arguments is null ? null : new ParsedToolCall((string)name!, arguments, id);
    }

    private static string GrammarLiteral(string text) => Wallfacer.Inference.Grammar.GbnfText.Literal(text);
}
