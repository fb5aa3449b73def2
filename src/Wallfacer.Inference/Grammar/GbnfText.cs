using System.Globalization;
using System.Text;

namespace Wallfacer.Inference.Grammar;

/// <summary>Writes GBNF source: string literals and character classes with every unusual character escaped.</summary>
internal static class GbnfText
{
    /// <summary><paramref name="text"/> as a GBNF string literal (<c>"..."</c>).</summary>
    public static string Literal(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (Rune r in text.EnumerateRunes())
            AppendChar(sb, r.Value, inClass: false);
        return sb.Append('"').ToString();
    }

    /// <summary>A character class of inclusive code-point ranges (sorted or not); an empty list is refused by the caller.</summary>
    public static string Class(IEnumerable<(int Lo, int Hi)> ranges, bool negated = false)
    {
        var sb = new StringBuilder(negated ? "[^" : "[");
        foreach (var (lo, hi) in ranges)
        {
            AppendChar(sb, lo, inClass: true);
            if (hi > lo)
            {
                sb.Append('-');
                AppendChar(sb, hi, inClass: true);
            }
        }
        return sb.Append(']').ToString();
    }

    private static void AppendChar(StringBuilder sb, int c, bool inClass)
    {
        bool plain = c is >= 0x20 and < 0x7F && c is not ('"' or '\\') && !(inClass && c is '[' or ']' or '-' or '^');
        if (plain)
            sb.Append((char)c);
        else if (c < 0x100)
            sb.Append(CultureInfo.InvariantCulture, $"\\x{c:X2}");
        else if (c < 0x10000)
            sb.Append(CultureInfo.InvariantCulture, $"\\u{c:X4}");
        else
            sb.Append(CultureInfo.InvariantCulture, $"\\U{c:X8}");
    }
}
