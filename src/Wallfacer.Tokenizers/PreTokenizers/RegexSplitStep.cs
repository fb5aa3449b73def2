using System.Text;
using System.Text.RegularExpressions;
using Wallfacer.Tokenizers.Unicode;

namespace Wallfacer.Tokenizers.PreTokenizers;

/// <summary>
/// A general pre-tokenizer regex, run the way llama.cpp runs it with std::regex (src/unicode.cpp,
/// unicode_regex_split + unicode_regex_split_stl), so the observable splits are the same:
/// <list type="bullet">
/// <item>If the regex uses <c>\p{..}</c> categories, both text and regex are "collapsed": every
/// non-ASCII codepoint becomes one stand-in character for its category (whitespace → U+000B) and
/// each <c>\p{X}</c> becomes a class of that stand-in plus the ASCII members of X.</item>
/// <item>Otherwise the regex runs on the codepoints, with non-ASCII whitespace replaced by U+000B.
/// Each codepoint is one .NET char: astral codepoints are mapped to lone surrogates (which never
/// occur in the text otherwise), one per interval between the astral codepoints the regex names.</item>
/// </list>
/// Matching uses ECMAScript semantics (\s = [ \f\n\r\t\v], \d = [0-9]) inside each chunk alone;
/// text between matches becomes pieces of its own.
/// </summary>
internal sealed class RegexSplitStep : ISplitStep
{
    // Stand-ins of the collapsed text (llama.cpp k_ucat_cpt); 0xD0 = any other category.
    private const char OtherStandIn = '\u00D0';

    private static readonly (string Category, CategoryFlags Flag, char StandIn, string AsciiMembers)[] Categories =
    [
        ("\\p{N}", CategoryFlags.Number, '\u00D1', "0-9"),
        ("\\p{L}", CategoryFlags.Letter, '\u00D2', "A-Za-z"),
        ("\\p{P}", CategoryFlags.Punctuation, '\u00D3', "!-#%-*,-/:-;?-@\\[-\\]_\\{\\}"),
        ("\\p{M}", CategoryFlags.AccentMark, '\u00D4', ""),
        ("\\p{S}", CategoryFlags.Symbol, '\u00D5', "\\$\\+<->^`\\|~"),
        ("\\p{Lu}", CategoryFlags.Letter, '\u00D2', "A-Za-z"),
        ("\\p{Ll}", CategoryFlags.Letter, '\u00D2', "A-Za-z"),
        ("\\p{Lt}", CategoryFlags.Letter, '\u00D2', "A-Za-z"),
        ("\\p{Lm}", CategoryFlags.Letter, '\u00D2', "A-Za-z"),
        ("\\p{Lo}", CategoryFlags.Letter, '\u00D2', "A-Za-z"),
    ];

    private readonly Regex _regex;
    private readonly bool _collapsed;
    private readonly int[] _astralBreaks; // wide mode: sorted starts of astral intervals

    public RegexSplitStep(string pattern)
    {
        _collapsed = Categories.Any(c => pattern.Contains(c.Category, StringComparison.Ordinal));
        string translated;
        if (_collapsed)
        {
            _astralBreaks = [];
            translated = CollapsePattern(pattern);
        }
        else
        {
            _astralBreaks = AstralBreaks(pattern);
            translated = WidenPattern(pattern, _astralBreaks);
        }
        _regex = new Regex(translated, RegexOptions.ECMAScript);
    }

    public void Split(ReadOnlySpan<int> codepoints, List<int> chunkLengths, List<int> result)
    {
        string text = _collapsed ? CollapseText(codepoints) : WidenText(codepoints, _astralBreaks);
        int start = 0;
        foreach (int length in chunkLengths)
        {
            // A chunk is matched alone: anchors and lookaheads must not see past it (std::regex_iterator on the range).
            string chunk = text.Substring(start, length);
            int done = 0;
            for (var m = _regex.Match(chunk); m.Success; m = m.NextMatch())
            {
                if (m.Length == 0)
                    continue; // an empty match adds no piece in llama.cpp either
                if (m.Index > done)
                    result.Add(m.Index - done);
                result.Add(m.Length);
                done = m.Index + m.Length;
            }
            if (done < length)
                result.Add(length - done);
            start += length;
        }
    }

    private static string CollapseText(ReadOnlySpan<int> codepoints)
    {
        var chars = new char[codepoints.Length];
        for (int i = 0; i < codepoints.Length; i++)
        {
            int cpt = codepoints[i];
            if (cpt < 128)
                chars[i] = (char)cpt;
            else if (CodepointCategories.IsWhitespace(cpt))
                chars[i] = '\u000B';
            else
                chars[i] = StandInFor(CodepointCategories.Of(cpt));
        }
        return new string(chars);
    }

    private static char StandInFor(CategoryFlags flags)
    {
        foreach (var c in Categories)
        {
            if (c.Flag == flags)
                return c.StandIn;
        }
        return OtherStandIn;
    }

    /// <summary>Replaces each \p{X} by [standIn + ASCII members] (inside a class: without the brackets).</summary>
    private static string CollapsePattern(string pattern)
    {
        if (pattern.Any(ch => ch >= 128))
            throw new NotSupportedException($"Pre-tokenizer regex mixes Unicode categories with non-ASCII characters: {pattern}");
        var sb = new StringBuilder();
        bool inside = false;
        for (int i = 0; i < pattern.Length; i++)
        {
            char ch = pattern[i];
            if (ch == '[' && (i == 0 || pattern[i - 1] != '\\'))
            {
                inside = true;
                sb.Append('[');
                continue;
            }
            if (inside && ch == ']' && pattern[i - 1] != '\\')
            {
                inside = false;
                sb.Append(']');
                continue;
            }
            var category = Categories.FirstOrDefault(c => MatchesAt(pattern, i, c.Category));
            if (category.Category != null)
            {
                string members = category.StandIn + category.AsciiMembers;
                sb.Append(inside ? members : "[" + members + "]");
                i += category.Category.Length - 1;
                continue;
            }
            sb.Append(ch);
        }
        return ReplaceEndAnchors(sb.ToString());
    }

    private static bool MatchesAt(string pattern, int i, string token) =>
        string.CompareOrdinal(pattern, i, token, 0, token.Length) == 0;

    private static string WidenText(ReadOnlySpan<int> codepoints, int[] astralBreaks)
    {
        var chars = new char[codepoints.Length];
        for (int i = 0; i < codepoints.Length; i++)
        {
            int cpt = codepoints[i];
            if (cpt > 0xFFFF)
                chars[i] = AstralStandIn(cpt, astralBreaks);
            else if (cpt > 0x7F && CodepointCategories.IsWhitespace(cpt))
                chars[i] = '\u000B';
            else
                chars[i] = (char)cpt;
        }
        return new string(chars);
    }

    /// <summary>Interval starts: 0x10000 plus every astral codepoint the pattern names and the one after it.</summary>
    private static int[] AstralBreaks(string pattern)
    {
        var breaks = new SortedSet<int> { 0x10000 };
        foreach (var rune in pattern.EnumerateRunes())
        {
            if (rune.Value > 0xFFFF)
            {
                breaks.Add(rune.Value);
                breaks.Add(rune.Value + 1);
            }
        }
        if (breaks.Count > 0x400)
            throw new NotSupportedException("Pre-tokenizer regex names too many astral codepoints.");
        return [.. breaks];
    }

    private static char AstralStandIn(int cpt, int[] breaks)
    {
        int index = Array.BinarySearch(breaks, cpt);
        if (index < 0)
            index = ~index - 1;
        return (char)(0xD800 + index); // a lone high surrogate: never present in real text
    }

    private static string WidenPattern(string pattern, int[] astralBreaks)
    {
        var sb = new StringBuilder();
        foreach (var rune in pattern.EnumerateRunes())
        {
            if (rune.Value > 0xFFFF)
                sb.Append($"\\u{(int)AstralStandIn(rune.Value, astralBreaks):X4}");
            else
                sb.Append((char)rune.Value);
        }
        return ReplaceEndAnchors(sb.ToString());
    }

    /// <summary>ECMAScript '$' is end of input only; .NET's also matches before a final '\n'.</summary>
    private static string ReplaceEndAnchors(string pattern)
    {
        var sb = new StringBuilder();
        bool inside = false;
        for (int i = 0; i < pattern.Length; i++)
        {
            char ch = pattern[i];
            if (ch == '\\' && i + 1 < pattern.Length)
            {
                sb.Append(ch).Append(pattern[++i]);
                continue;
            }
            if (ch == '[')
                inside = true;
            else if (ch == ']')
                inside = false;
            sb.Append(!inside && ch == '$' ? "(?!.|\\n)" : ch.ToString());
        }
        return sb.ToString();
    }
}
