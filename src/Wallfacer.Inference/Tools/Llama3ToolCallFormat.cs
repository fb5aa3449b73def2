using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Wallfacer.Inference.Tools;

/// <summary>Llama 3.1/3.2: the answer is one bare JSON object <c>{"name": …, "parameters": {…}}</c>.</summary>
public sealed partial class Llama3ToolCallFormat : ToolCallFormat
{
    public override string Name => "llama3";

    public override string Opening => "";

    /// <summary>Llama 3's JSON calls always start so (the template's own example).</summary>
    public override string Trigger => "{\"name\"";

    public override bool SupportsParallelCalls => false;

    protected override string BodyGrammar(IReadOnlyList<ToolDefinition> tools, bool parallel) =>
        $"{Body} ::= tc-call\n" + ToolSchemas.Rules(ToolSchemas.CallObject(tools, "name", "parameters"), "tc-call", Body);

    /// <summary>The grammar allows whitespace inside the object, so the section is found by pattern, not by the trigger text.</summary>
    protected override int FindSection(string output) => CallStart().Match(output) is { Success: true } m ? m.Index : -1;

    [GeneratedRegex("\\{\\s*\"name\"")]
    private static partial Regex CallStart();

    protected override IReadOnlyList<ParsedToolCall>? ParseSection(string section)
    {
        if (!JsonPrefix.TryRead(section, out var value, out string rest) || value is not JsonObject call || rest.Trim().Length > 0)
            return null;
        return HermesToolCallFormat.ReadCall(call, "parameters") is { } parsed ? [parsed] : null;
    }
}
