namespace Wallfacer.Inference.Templates;

/// <summary>
/// The template source as Jinja sees it: every <c>\r\n</c>/<c>\r</c> becomes <c>\n</c> and one trailing
/// newline is dropped (<c>keep_trailing_newline=False</c>), plus a line table for error positions.
/// </summary>
internal sealed class SourceText
{
    private readonly int[] _lineStarts;

    public SourceText(string raw)
    {
        string text = raw.Replace("\r\n", "\n").Replace('\r', '\n');
        if (text.EndsWith('\n'))
            text = text[..^1];
        Text = text;
        var starts = new List<int> { 0 };
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
                starts.Add(i + 1);
        }
        _lineStarts = starts.ToArray();
    }

    public string Text { get; }

    /// <summary>1-based line and column of a character offset.</summary>
    public (int Line, int Column) Locate(int position)
    {
        int index = Array.BinarySearch(_lineStarts, position);
        int line = index >= 0 ? index : ~index - 1;
        return (line + 1, position - _lineStarts[line] + 1);
    }

    public int LineOf(int position) => Locate(position).Line;

    public TemplateSyntaxException Error(string message, int position)
    {
        var (line, column) = Locate(position);
        return new TemplateSyntaxException(message, line, column);
    }
}
