// TEMPORARY: stands in for the Jinja interpreter being written on the `templates` branch; deleted at merge.
using System.Text;
using System.Text.Json.Nodes;

namespace Wallfacer.Inference.Templates;

public sealed class JinjaTemplate
{
    public static JinjaTemplate Parse(string source) => new();

    public string Render(JsonObject variables, CancellationToken cancellationToken = default)
    {
        var sb = new StringBuilder();
        foreach (var m in variables["messages"]!.AsArray())
            sb.Append("<|im_start|>").Append((string)m!["role"]!).Append('\n').Append((string?)m["content"]).Append("<|im_end|>\n");
        if ((bool)variables["add_generation_prompt"]!)
            sb.Append("<|im_start|>assistant\n");
        return sb.ToString();
    }
}

public static class BuiltInChatTemplates
{
    public static (string Name, string Source) Choose(string architecture, Func<string, bool> hasToken) => ("chatml", "");
}
