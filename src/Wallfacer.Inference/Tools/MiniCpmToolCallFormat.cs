using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Wallfacer.Inference.Grammar;

namespace Wallfacer.Inference.Tools;

/// <summary>
/// MiniCPM3/4: <c>&lt;|tool_call_start|&gt;\n```python\nname(key=value, …)\n```\n&lt;|tool_call_end|&gt;</c>, one call per
/// line, Python literals for values. The grammar writes the declared parameters in order (required ones always,
/// optional ones maybe) with values of their declared type.
/// </summary>
public sealed class MiniCpmToolCallFormat : ToolCallFormat
{
    private const string Fence = "```python\n", EndFence = "\n```\n";

    public override string Name => "minicpm";

    public override string Opening => "<|tool_call_start|>";

    public override string Closing => "<|tool_call_end|>";

    protected override string BodyGrammar(IReadOnlyList<ToolDefinition> tools, bool parallel)
    {
        var sb = new StringBuilder();
        string more = parallel ? " (\"\\n\" tc-call)*" : "";
        sb.Append(CultureInfo.InvariantCulture, $"{Body} ::= \"\\n\"? {GbnfText.Literal(Fence)} tc-call{more} {GbnfText.Literal(EndFence)}\n");
        sb.Append("tc-call ::= ").AppendJoin(" | ", tools.Select((_, i) => $"tc-f{i}")).Append('\n');
        for (int i = 0; i < tools.Count; i++)
            AppendTool(sb, tools[i], $"tc-f{i}");
        sb.Append(PythonValueRules);
        return sb.ToString();
    }

    protected override IReadOnlyList<ParsedToolCall>? ParseSection(string section)
    {
        string body = section[Opening.Length..];
        int end = body.IndexOf(Closing, StringComparison.Ordinal);
        if (end >= 0)
            body = body[..end];
        body = body.Trim();
        if (body.StartsWith("```", StringComparison.Ordinal))
            body = body[(body.IndexOf('\n') is int nl and >= 0 ? nl + 1 : body.Length)..];
        if (body.EndsWith("```", StringComparison.Ordinal))
            body = body[..^3];
        return PythonLiteral.ParseCalls(body);
    }

    /// <summary>
    /// <c>name(</c> then the parameters in declared order: <c>start-k</c> is "the list from parameter k on, with no
    /// comma before it", <c>after-k</c> "the parameters after k, each with its comma" — linear in the parameter count.
    /// </summary>
    private static void AppendTool(StringBuilder sb, ToolDefinition tool, string rule)
    {
        var properties = (tool.Parameters["properties"] as JsonObject)?.ToList() ?? [];
        var required = (tool.Parameters["required"] as JsonArray)?.Select(n => (string?)n).ToHashSet() ?? [];
        int n = properties.Count;
        sb.Append(CultureInfo.InvariantCulture, $"{rule} ::= {GbnfText.Literal(tool.Name + "(")} {rule}-s0 \")\"\n");
        for (int k = 0; k <= n; k++)
        {
            if (k == n)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{rule}-s{k} ::= \"\"\n{rule}-a{k} ::= \"\"\n");
                continue;
            }
            var (name, schema) = properties[k];
            bool optional = !required.Contains(name);
            string item = $"{GbnfText.Literal(name + "=")} {ValueRule(schema as JsonObject)}";
            string skip = optional ? $" | {rule}-s{k + 1}" : "";
            sb.Append(CultureInfo.InvariantCulture, $"{rule}-s{k} ::= {item} {rule}-a{k + 1}{skip}\n");
            string after = optional ? $"( \",\" \" \"? {item} )? {rule}-a{k + 1}" : $"\",\" \" \"? {item} {rule}-a{k + 1}";
            sb.Append(CultureInfo.InvariantCulture, $"{rule}-a{k} ::= {after}\n");
        }
    }

    /// <summary>An inline GBNF expression for a parameter's value (an optional parameter is left out, not None).</summary>
    private static string ValueRule(JsonObject? schema) => schema switch
        {
            { } s when s["enum"] is JsonArray options && options.Count > 0 => "(" + string.Join(" | ", options.Select(EnumLiteral)) + ")",
            { } s when s["const"] is { } constant => EnumLiteral(constant),
            { } s when s["type"] is JsonValue t => (string?)t switch
            {
                "string" => s["maxLength"] is JsonValue max && max.TryGetValue(out int n) ? $"\"\\\"\" tc-py-char{{0,{n}}} \"\\\"\"" : "tc-py-string",
                "integer" => "tc-py-int",
                "number" => "tc-py-number",
                "boolean" => "tc-py-bool",
                "null" => "\"None\"",
                "array" => "tc-py-list",
                "object" => "tc-py-dict",
                _ => "tc-py-value",
            },
            _ => "tc-py-value",
        };

    private static string EnumLiteral(JsonNode? option) => option?.GetValueKind() switch
    {
        JsonValueKind.String => GbnfText.Literal(JsonSerializer.Serialize((string)option!)),
        JsonValueKind.True => "\"True\"",
        JsonValueKind.False => "\"False\"",
        JsonValueKind.Null or null => "\"None\"",
        _ => GbnfText.Literal(option.ToJsonString()),
    };

    // Python literals with bounded lengths (a random or confused model must still reach the end).
    private const string PythonValueRules = """
        tc-py-value ::= tc-py-string | tc-py-number | tc-py-bool | "None" | tc-py-list | tc-py-dict
        tc-py-string ::= "\"" tc-py-char* "\""
        tc-py-char ::= [^"\\\x00-\x1F] | "\\" ["\\nt]
        tc-py-int ::= "-"? ([0] | [1-9] [0-9]{0,15})
        tc-py-number ::= tc-py-int ("." [0-9]{1,16})?
        tc-py-bool ::= "True" | "False"
        tc-py-list ::= "[" ( tc-py-value ( ", " tc-py-value ){0,31} )? "]"
        tc-py-dict ::= "{" ( tc-py-string ": " tc-py-value ( ", " tc-py-string ": " tc-py-value ){0,31} )? "}"

        """;
}
