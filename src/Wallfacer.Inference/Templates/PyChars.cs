namespace Wallfacer.Inference.Templates;

/// <summary>Python's character classes where they differ from .NET's.</summary>
internal static class PyChars
{
    /// <summary><c>str.isspace()</c>: .NET's white space plus the separators U+001C..U+001F.</summary>
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || (c >= '\x1c' && c <= '\x1f');

    public static bool IsIdentifierStart(char c) => c == '_' || char.IsLetter(c);

    public static bool IsIdentifierPart(char c) => c == '_' || char.IsLetterOrDigit(c);

    /// <summary><c>str.rstrip()</c> with no argument.</summary>
    public static string TrimEndSpace(string s)
    {
        int end = s.Length;
        while (end > 0 && IsSpace(s[end - 1]))
            end--;
        return s[..end];
    }

    public static bool IsAllSpace(string s, int start)
    {
        for (int i = start; i < s.Length; i++)
        {
            if (!IsSpace(s[i]))
                return false;
        }
        return true;
    }

    /// <summary>The code point at <paramref name="index"/>; a lone surrogate is its own code point (legal in Python).</summary>
    public static int CodePointAt(string s, int index) =>
        char.IsHighSurrogate(s[index]) && index + 1 < s.Length && char.IsLowSurrogate(s[index + 1])
            ? char.ConvertToUtf32(s[index], s[index + 1])
            : s[index];

    /// <summary><c>len(s)</c> in Python: code points, not UTF-16 units.</summary>
    public static int CodePointCount(string s)
    {
        int count = s.Length;
        for (int i = 0; i + 1 < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && char.IsLowSurrogate(s[i + 1]))
                count--;
        }
        return count;
    }
}
