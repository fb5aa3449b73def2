using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Wallfacer.Inference.Grammar;

namespace Wallfacer.Inference.Tools;

/// <summary>
/// MiniCPM5's XML calls: <c>&lt;function name="…"&gt;&lt;param name="…"&gt;value&lt;/param&gt;…&lt;/function&gt;</c>.
/// String values are raw text (no '&lt;'), other values JSON; parameters in declared order.
/// </summary>
public sealed partial class XmlToolCallFormat : ToolCallFormat
{
    private const string Open = "<function name=\"", Close = "</function>";

    public override string Name => "xml";

    public override string Opening => Open;

    protected override string BodyGrammar(IReadOnlyList<ToolDefinition> tools, bool parallel)
    {
        var sb = new StringBuilder();
        string more = parallel ? $" ( \"\\n\"? {GbnfText.Literal(Open)} {Body} )?" : "";
        sb.Append(CultureInfo.InvariantCulture, $"{Body} ::= tc-call {GbnfText.Literal(Close)}{more}\n");
        sb.Append("tc-call ::= ").AppendJoin(" | ", tools.Select((_, i) => $"tc-f{i}")).Append('\n');
        for (int i = 0; i < tools.Count; i++)
        {
            var properties = (tools[i].Parameters["properties"] as JsonObject)?.ToList() ?? [];
            var required = (tools[i].Parameters["required"] as JsonArray)?.Select(n => (string?)n).ToHashSet() ?? [];
            sb.Append(CultureInfo.InvariantCulture, $"tc-f{i} ::= {GbnfText.Literal(tools[i].Name + "\">")}");
            foreach (var (name, schema) in properties)
            {
                string param = $"\"\\n\"? {GbnfText.Literal($"<param name=\"{name}\">")} {ValueRule(schema as JsonObject)} \"</param>\"";
                sb.Append(required.Contains(name) ? $" {param}" : $" ( {param} )?");
            }
            sb.Append(" \"\\n\"?\n");
        }
        sb.Append(ValueRules);
        return sb.ToString();
    }

    protected override IReadOnlyList<ParsedToolCall>? ParseSection(string section)
    {
        var calls = new List<ParsedToolCall>();
        foreach (Match call in FunctionElement().Matches(section))
        {
            var arguments = new JsonObject();
            foreach (Match param in ParamElement().Matches(call.Groups["body"].Value))
                arguments[param.Groups["name"].Value] = ReadValue(param.Groups["value"].Value);
            calls.Add(new ParsedToolCall(call.Groups["name"].Value, arguments.ToJsonString()));
        }
        return calls;
    }

    /// <summary>A value is JSON when it parses as such (numbers, booleans, arrays, objects); otherwise it is text.</summary>
    private static JsonNode? ReadValue(string text)
    {
        string trimmed = text.Trim();
        if (trimmed.Length > 0 && (trimmed[0] is '{' or '[' or '-' or 't' or 'f' or 'n' || char.IsAsciiDigit(trimmed[0])))
        {
            try { return JsonNode.Parse(trimmed); }
            catch (JsonException) { }
        }
        return JsonValue.Create(text);
    }

    private static string ValueRule(JsonObject? schema) => schema switch
    {
        { } s when s["enum"] is JsonArray options && options.Count > 0 =>
            "(" + string.Join(" | ", options.Select(o => GbnfText.Literal(o?.GetValueKind() == JsonValueKind.String ? (string)o! : o?.ToJsonString() ?? "null"))) + ")",
        { } s when s["type"] is JsonValue t => (string?)t switch
        {
            "string" => s["maxLength"] is JsonValue max && max.TryGetValue(out int n) ? $"[^<\\x00-\\x08]{{0,{n}}}" : "tc-x-text",
            "integer" => "tc-x-int",
            "number" => "tc-x-number",
            "boolean" => "(\"true\" | \"false\")",
            _ => "tc-x-json",
        },
        _ => "tc-x-text",
    };

    private const string ValueRules = """
        tc-x-text ::= [^<\x00-\x08]*
        tc-x-int ::= "-"? ([0] | [1-9] [0-9]{0,15})
        tc-x-number ::= tc-x-int ("." [0-9]{1,16})?
        tc-x-json ::= tc-x-number | "true" | "false" | "null" | "\"" [^"\\<\x00-\x1F]* "\"" | "[" [^<\]]* "]" | "{" [^<}]* "}"

        """;

    [GeneratedRegex("<function name=\"(?<name>[^\"]+)\">(?<body>.*?)</function>", RegexOptions.Singleline)]
    private static partial Regex FunctionElement();

    [GeneratedRegex("<param name=\"(?<name>[^\"]+)\">(?<value>.*?)</param>", RegexOptions.Singleline)]
    private static partial Regex ParamElement();
}
