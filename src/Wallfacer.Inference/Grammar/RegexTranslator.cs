using System.Globalization;
using System.Text;

namespace Wallfacer.Inference.Grammar;

/// <summary>
/// Translates a regular expression (the subset <see cref="RegexGrammar"/> documents) into one GBNF expression.
/// In JSON-string mode the expression spells the matched text as the inside of a JSON string literal: <c>"</c>,
/// <c>\</c> and control characters become escapes, and an unanchored end is padded with the JSON character rule
/// (a schema's <c>pattern</c> matches anywhere in the string).
/// </summary>
internal sealed class RegexTranslator
{
    private const int MaxCodePoint = 0x10FFFF;
    private static readonly (int, int)[] Digits = [('0', '9')];
    private static readonly (int, int)[] Word = [('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')];
    private static readonly (int, int)[] Space = [('\t', '\r'), (' ', ' ')];

    private readonly int[] _p; // the pattern as code points
    private readonly string _pattern;
    private readonly string? _jsonChar;
    private int _pos, _depth;

    /// <param name="pattern">The regular expression.</param>
    /// <param name="jsonStringCharRule">The rule for one JSON string character (JSON-string mode), or null for raw text.</param>
    public RegexTranslator(string pattern, string? jsonStringCharRule)
    {
        _pattern = pattern;
        _p = [.. pattern.EnumerateRunes().Select(r => r.Value)];
        _jsonChar = jsonStringCharRule;
    }

    public string Translate()
    {
        int end = _p.Length;
        bool anchoredStart = end > 0 && _p[0] == '^';
        bool anchoredEnd = end > 0 && _p[end - 1] == '$' && !EscapedAt(end - 1);
        if (anchoredStart) _pos = 1;
        var p = anchoredEnd ? _p[..(end - 1)] : _p;
        string body = ParseAlternation(p);
        if (_pos < p.Length)
            throw Error(p[_pos] == ')' ? "an unmatched ')'" : $"'{char.ConvertFromUtf32(p[_pos])}'");
        if (_jsonChar is null) return body;
        string pad = _jsonChar + "*";
        return (anchoredStart ? "" : pad + " ") + body + (anchoredEnd ? "" : " " + pad);
    }

    private bool EscapedAt(int i)
    {
        int slashes = 0;
        while (i - 1 - slashes >= 0 && _p[i - 1 - slashes] == '\\') slashes++;
        return slashes % 2 == 1;
    }

    private GrammarException Error(string what) =>
        new($"Unsupported or malformed regular expression /{_pattern}/: {what} at offset {_pos}. Supported: literals, classes, '.', * + ? {{m,n}}, groups, '|', and ^ $ at the ends.");

    private string ParseAlternation(int[] p)
    {
        var alternatives = new List<string> { ParseConcat(p) };
        while (_pos < p.Length && p[_pos] == '|')
        {
            _pos++;
            alternatives.Add(ParseConcat(p));
        }
        return alternatives.Count == 1 ? alternatives[0] : "(" + string.Join(" | ", alternatives) + ")";
    }

    private string ParseConcat(int[] p)
    {
        var items = new List<string>();
        while (_pos < p.Length && p[_pos] is not ('|' or ')'))
        {
            string atom = ParseAtom(p);
            items.Add(ParseQuantifiers(p, atom));
        }
        return items.Count == 0 ? "\"\"" : string.Join(" ", items);
    }

    private string ParseAtom(int[] p)
    {
        int c = p[_pos];
        switch (c)
        {
            case '(':
                if (++_depth > GbnfGrammar.MaxNesting) throw Error($"groups nested more than {GbnfGrammar.MaxNesting} deep");
                _pos++;
                if (_pos < p.Length && p[_pos] == '?')
                {
                    if (_pos + 1 < p.Length && p[_pos + 1] == ':') _pos += 2;
                    else throw Error("a lookaround, named group or inline flag '(?'");
                }
                string inner = ParseAlternation(p);
                if (_pos >= p.Length || p[_pos] != ')') throw Error("a '(' without its ')'");
                _pos++;
                _depth--;
                return "(" + inner + ")";
            case '[':
                return Set(ParseClass(p));
            case '.':
                _pos++;
                return Set(Complement([('\n', '\n')]));
            case '\\':
                _pos++;
                return Set(ParseEscape(p, inClass: false));
            case '^' or '$':
                throw Error($"an anchor '{(char)c}' inside the pattern");
            case '*' or '+' or '?' or '{':
                throw Error($"a quantifier '{(char)c}' with nothing to repeat");
            default:
                _pos++;
                return Set([(c, c)]);
        }
    }

    private string ParseQuantifiers(int[] p, string atom)
    {
        bool quantified = false;
        while (_pos < p.Length && p[_pos] is '*' or '+' or '?' or '{')
        {
            if (quantified) throw Error("a quantifier after a quantifier");
            quantified = true;
            int c = p[_pos++];
            string q = c switch { '*' => "*", '+' => "+", '?' => "?", _ => ParseBraces(p) };
            atom = "(" + atom + ")" + q;
            if (_pos < p.Length && p[_pos] == '?') _pos++; // lazy: same language
            else if (_pos < p.Length && p[_pos] == '+') throw Error("a possessive quantifier");
        }
        return atom;
    }

    private string ParseBraces(int[] p)
    {
        int min = ParseNumber(p), max = min;
        if (_pos < p.Length && p[_pos] == ',')
        {
            _pos++;
            max = _pos < p.Length && p[_pos] is >= '0' and <= '9' ? ParseNumber(p) : -1;
        }
        if (_pos >= p.Length || p[_pos] != '}') throw Error("a '{' that is not a repetition {m}, {m,} or {m,n}");
        _pos++;
        if (max >= 0 && max < min) throw Error($"a repetition {{{min},{max}}} whose upper bound is below its lower bound");
        return max < 0 ? $"{{{min},}}" : max == min ? $"{{{min}}}" : $"{{{min},{max}}}";
    }

    private int ParseNumber(int[] p)
    {
        if (_pos >= p.Length || p[_pos] is not (>= '0' and <= '9')) throw Error("a '{' that is not a repetition {m}, {m,} or {m,n}");
        long value = 0;
        while (_pos < p.Length && p[_pos] is >= '0' and <= '9')
        {
            value = value * 10 + (p[_pos++] - '0');
            if (value > GbnfGrammar.MaxRepetition) throw Error($"a repetition bound above {GbnfGrammar.MaxRepetition}");
        }
        return (int)value;
    }

    private List<(int Lo, int Hi)> ParseClass(int[] p)
    {
        _pos++; // '['
        bool negated = _pos < p.Length && p[_pos] == '^';
        if (negated) _pos++;
        var set = new List<(int Lo, int Hi)>();
        bool first = true;
        while (true)
        {
            if (_pos >= p.Length) throw Error("a '[' without its ']'");
            int c = p[_pos];
            if (c == ']' && !first) break;
            first = false;
            List<(int Lo, int Hi)> item;
            _pos++;
            if (c == '\\') item = ParseEscape(p, inClass: true);
            else if (c == '[' && _pos < p.Length && p[_pos] is ':' or '=' or '.') throw Error("a POSIX class or set operation");
            else item = [(c, c)];
            if (item.Count == 1 && item[0].Lo == item[0].Hi && _pos + 1 < p.Length && p[_pos] == '-' && p[_pos + 1] != ']')
            {
                _pos++;
                int hc = p[_pos++];
                var hi = hc == '\\' ? ParseEscape(p, inClass: true) : [(hc, hc)];
                if (hi.Count != 1 || hi[0].Lo != hi[0].Hi) throw Error("a range that ends in a class escape");
                if (hi[0].Lo < item[0].Lo) throw Error("a range whose end is before its start");
                item = [(item[0].Lo, hi[0].Lo)];
            }
            set.AddRange(item);
        }
        _pos++; // ']'
        set = Normalize(set);
        return negated ? Complement(set) : set;
    }

    private List<(int Lo, int Hi)> ParseEscape(int[] p, bool inClass)
    {
        if (_pos >= p.Length) throw Error("a trailing '\\'");
        int c = p[_pos++];
        switch (c)
        {
            case 'd': return [.. Digits];
            case 'D': return Complement([.. Digits]);
            case 'w': return [.. Word];
            case 'W': return Complement([.. Word]);
            case 's': return [.. Space];
            case 'S': return Complement([.. Space]);
            case 'n': return [('\n', '\n')];
            case 't': return [('\t', '\t')];
            case 'r': return [('\r', '\r')];
            case 'f': return [('\f', '\f')];
            case 'v': return [('\v', '\v')];
            case '0': return [(0, 0)];
            case 'b' when inClass: return [('\b', '\b')];
            case 'x': return [Single(Hex(p, 2))];
            case 'u': return [Single(Hex(p, 4))];
            default:
                if (c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9'))
                {
                    _pos--;
                    throw Error($"the escape '\\{(char)c}' (word boundaries, backreferences and Unicode categories are not supported)");
                }
                return [(c, c)];
        }
    }

    private static (int, int) Single(int c) => (c, c);

    private int Hex(int[] p, int digits)
    {
        int value = 0;
        for (int i = 0; i < digits; i++)
        {
            if (_pos >= p.Length || !int.TryParse(char.ConvertFromUtf32(p[_pos]), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int d))
                throw Error($"an escape that needs {digits} hex digits");
            value = value * 16 + d;
            _pos++;
        }
        return value;
    }

    /// <summary>A set of code points as a GBNF expression (raw, or spelled inside a JSON string).</summary>
    private string Set(List<(int Lo, int Hi)> set)
    {
        set = Subtract(Normalize(set), [(0xD800, 0xDFFF)]);
        if (set.Count == 0) throw Error("a class that matches no character");
        if (_jsonChar is null)
            return set.Count == 1 && set[0].Lo == set[0].Hi ? GbnfText.Literal(char.ConvertFromUtf32(set[0].Lo)) : GbnfText.Class(set);

        // Inside a JSON string: plain characters as they are, the rest as escapes.
        var plain = Subtract(set, [(0, 0x1F), ('"', '"'), ('\\', '\\'), (0x7F, 0x7F)]);
        var alternatives = new List<string>();
        if (plain.Count > 0)
            alternatives.Add(plain.Count == 1 && plain[0].Lo == plain[0].Hi ? GbnfText.Literal(char.ConvertFromUtf32(plain[0].Lo)) : GbnfText.Class(plain));
        foreach (var (lo, hi) in Intersect(set, [(0, 0x1F), ('"', '"'), ('\\', '\\'), (0x7F, 0x7F)]))
        {
            for (int c = lo; c <= hi; c++)
                alternatives.Add(GbnfText.Literal(JsonEscape(c)));
        }
        return alternatives.Count == 1 ? alternatives[0] : "(" + string.Join(" | ", alternatives) + ")";
    }

    private static string JsonEscape(int c) => c switch
    {
        '"' => "\\\"", '\\' => "\\\\", '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", '\b' => "\\b", '\f' => "\\f",
        _ => string.Create(CultureInfo.InvariantCulture, $"\\u{c:x4}"),
    };

    internal static List<(int Lo, int Hi)> Normalize(IEnumerable<(int Lo, int Hi)> ranges)
    {
        var merged = new List<(int Lo, int Hi)>();
        foreach (var (lo, hi) in ranges.Where(r => r.Lo <= r.Hi).OrderBy(r => r.Lo))
        {
            if (merged.Count > 0 && lo <= merged[^1].Hi + 1)
                merged[^1] = (merged[^1].Lo, Math.Max(merged[^1].Hi, hi));
            else
                merged.Add((lo, hi));
        }
        return merged;
    }

    internal static List<(int Lo, int Hi)> Complement(List<(int Lo, int Hi)> set)
    {
        var result = new List<(int Lo, int Hi)>();
        int next = 0;
        foreach (var (lo, hi) in Normalize(set))
        {
            if (lo > next) result.Add((next, lo - 1));
            next = hi + 1;
        }
        if (next <= MaxCodePoint) result.Add((next, MaxCodePoint));
        return result;
    }

    private static List<(int Lo, int Hi)> Subtract(List<(int Lo, int Hi)> set, List<(int Lo, int Hi)> minus) =>
        Intersect(set, Complement(minus));

    private static List<(int Lo, int Hi)> Intersect(List<(int Lo, int Hi)> a, List<(int Lo, int Hi)> b)
    {
        var result = new List<(int Lo, int Hi)>();
        foreach (var x in Normalize(a))
        {
            foreach (var y in Normalize(b))
            {
                int lo = Math.Max(x.Lo, y.Lo), hi = Math.Min(x.Hi, y.Hi);
                if (lo <= hi) result.Add((lo, hi));
            }
        }
        return Normalize(result);
    }

    public override string ToString() => new StringBuilder("/").Append(_pattern).Append('/').ToString();
}
