namespace Wallfacer.Inference.Templates;

/// <summary><c>split</c>, <c>rsplit</c> and <c>splitlines</c>, ported from CPython's <c>stringlib/split.h</c>.</summary>
internal static partial class StringMethods
{
    public static List<object?> Split(string s, string? sep, long maxSplit)
    {
        long budget = maxSplit < 0 ? long.MaxValue : maxSplit;
        var parts = new List<object?>();
        if (sep == null)
        {
            int n = s.Length, i = 0;
            while (budget-- > 0)
            {
                while (i < n && PyChars.IsSpace(s[i]))
                    i++;
                if (i == n)
                    break;
                int j = i++;
                while (i < n && !PyChars.IsSpace(s[i]))
                    i++;
                parts.Add(s[j..i]);
            }
            while (i < n && PyChars.IsSpace(s[i]))
                i++;
            if (i < n)
                parts.Add(s[i..]);
            return parts;
        }
        if (sep.Length == 0)
            throw TemplateRenderException.Type("empty separator");
        int pos = 0;
        while (budget-- > 0)
        {
            int at = s.IndexOf(sep, pos, StringComparison.Ordinal);
            if (at < 0)
                break;
            parts.Add(s[pos..at]);
            pos = at + sep.Length;
        }
        parts.Add(s[pos..]);
        return parts;
    }

    public static List<object?> RSplit(string s, string? sep, long maxSplit)
    {
        long budget = maxSplit < 0 ? long.MaxValue : maxSplit;
        var parts = new List<object?>();
        if (sep == null)
        {
            int i = s.Length - 1;
            while (budget-- > 0)
            {
                while (i >= 0 && PyChars.IsSpace(s[i]))
                    i--;
                if (i < 0)
                    break;
                int j = i--;
                while (i >= 0 && !PyChars.IsSpace(s[i]))
                    i--;
                parts.Add(s[(i + 1)..(j + 1)]);
            }
            while (i >= 0 && PyChars.IsSpace(s[i]))
                i--;
            if (i >= 0)
                parts.Add(s[..(i + 1)]);
            parts.Reverse();
            return parts;
        }
        if (sep.Length == 0)
            throw TemplateRenderException.Type("empty separator");
        int end = s.Length;
        while (budget-- > 0 && end > 0)
        {
            int at = s.LastIndexOf(sep, end - 1, end, StringComparison.Ordinal);
            if (at < 0)
                break;
            parts.Add(s[(at + sep.Length)..end]);
            end = at;
        }
        parts.Add(s[..end]);
        parts.Reverse();
        return parts;
    }

    public static List<object?> SplitLines(string s, bool keepEnds)
    {
        var lines = new List<object?>();
        int start = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c is not ('\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029'))
                continue;
            int lineEnd = i;
            if (c == '\r' && i + 1 < s.Length && s[i + 1] == '\n')
                i++;
            lines.Add(keepEnds ? s[start..(i + 1)] : s[start..lineEnd]);
            start = i + 1;
        }
        if (start < s.Length)
            lines.Add(s[start..]);
        return lines;
    }
}
