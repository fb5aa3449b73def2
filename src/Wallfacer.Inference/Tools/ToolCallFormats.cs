namespace Wallfacer.Inference.Tools;

/// <summary>Chooses a model's tool-call syntax from its chat template (the template is the authority on the format).</summary>
public static class ToolCallFormats
{
    public static ToolCallFormat Hermes { get; } = new HermesToolCallFormat();
    public static ToolCallFormat Llama3 { get; } = new Llama3ToolCallFormat();
    public static ToolCallFormat Mistral { get; } = new MistralToolCallFormat();
    public static ToolCallFormat MiniCpm { get; } = new MiniCpmToolCallFormat();
    public static ToolCallFormat Xml { get; } = new XmlToolCallFormat();

    /// <summary>Every format, for lookup by <see cref="ToolCallFormat.Name"/>.</summary>
    public static IReadOnlyList<ToolCallFormat> All { get; } = [Hermes, Llama3, Mistral, MiniCpm, Xml];

    /// <summary>
    /// The format whose markers the template writes; Hermes' <c>&lt;tool_call&gt;</c> JSON when it writes none
    /// (the most common syntax small models are tuned on).
    /// </summary>
    public static ToolCallFormat Detect(string? templateSource)
    {
        string t = templateSource ?? "";
        if (t.Contains("<|tool_call_start|>", StringComparison.Ordinal)) return MiniCpm;
        if (t.Contains("<function name=", StringComparison.Ordinal)) return Xml;
        if (t.Contains("[TOOL_CALLS]", StringComparison.Ordinal)) return Mistral;
        if (t.Contains("<tool_call>", StringComparison.Ordinal)) return Hermes;
        if (t.Contains("<|start_header_id|>", StringComparison.Ordinal) && t.Contains("ipython", StringComparison.Ordinal)) return Llama3;
        return Hermes;
    }

    /// <summary>The format named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static ToolCallFormat? ByName(string name) =>
        All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
}
