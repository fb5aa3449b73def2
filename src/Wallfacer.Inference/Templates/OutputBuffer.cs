using System.Text;

namespace Wallfacer.Inference.Templates;

/// <summary>Rendered text with the <see cref="JinjaOptions.MaxOutputChars"/> bound enforced on every append.</summary>
internal sealed class OutputBuffer(int maxChars)
{
    private readonly StringBuilder _sb = new();

    public void Append(string text)
    {
        if (_sb.Length + text.Length > maxChars)
            throw TemplateRenderException.Limit($"the rendered output exceeds {maxChars} characters (JinjaOptions.MaxOutputChars)");
        _sb.Append(text);
    }

    public override string ToString() => _sb.ToString();
}
