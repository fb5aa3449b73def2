using System.Globalization;
using System.Text;

namespace Wallfacer.Inference.Grammar;

/// <summary>
/// Recursive-descent parser for GBNF. A rule ends at a newline unless inside parentheses; <c>#</c> starts a
/// comment. Bounded: source length, rule count, nesting depth and repetition counts.
/// </summary>
internal sealed class GbnfParser(string text)
{
    public const int MaxSource = 1 << 20, MaxRules = 10_000, MaxDepth = 100, MaxRepetition = 10_000;

    private readonly List<string> _names = [];
    private readonly List<List<GrammarElement[]>?> _rules = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly HashSet<int> _defined = [];
    private readonly Dictionary<int, (int Line, int Column)> _firstUse = [];
    private int _pos;
    private int _depth;

    public GbnfGrammar Parse()
    {
        if (text.Length > MaxSource)
            throw new GrammarException($"The grammar is {text.Length} characters; at most {MaxSource} are accepted.");
        SkipSpace(newlines: true);
        while (_pos < text.Length)
        {
            ParseRule();
            SkipSpace(newlines: true);
        }
        foreach (var (rule, where) in _firstUse)
        {
            if (!_defined.Contains(rule))
                throw new GrammarException($"line {where.Line}, column {where.Column}: rule '{_names[rule]}' is used but never defined.");
        }
        if (!_index.TryGetValue("root", out int root) || !_defined.Contains(root))
            throw new GrammarException("The grammar has no 'root' rule.");
        var rules = _rules.Select(r => (IReadOnlyList<GrammarElement[]>)r!).ToList();
        var grammar = new GbnfGrammar(_names, rules, root);
        LeftRecursionCheck.Verify(grammar);
        return grammar;
    }

    private void ParseRule()
    {
        var (line, column) = Where();
        string name = ParseName();
        SkipSpace(newlines: false);
        Expect("::=");
        SkipSpace(newlines: true);
        int rule = RuleIndex(name, line, column);
        if (!_defined.Add(rule))
            throw Error($"rule '{name}' is defined twice", line, column);
        _rules[rule] = ParseAlternatives(name);
        if (_pos < text.Length && text[_pos] != '\n' && text[_pos] != '\r')
            throw Error($"unexpected '{text[_pos]}' after the rule '{name}'");
    }

    private List<GrammarElement[]> ParseAlternatives(string ruleName)
    {
        var alternatives = new List<GrammarElement[]> { ParseSequence(ruleName) };
        while (_pos < text.Length && text[_pos] == '|')
        {
            _pos++;
            SkipSpace(newlines: true);
            alternatives.Add(ParseSequence(ruleName));
        }
        return alternatives;
    }

    private GrammarElement[] ParseSequence(string ruleName)
    {
        var sequence = new List<GrammarElement>();
        while (_pos < text.Length)
        {
            char c = text[_pos];
            if (c is '|' or ')' || (_depth == 0 && c is '\n' or '\r'))
                break;
            var (line, column) = Where();
            var item = ParseItem(ruleName);
            SkipSpace(newlines: _depth > 0);
            item = ParseRepetition(item, ruleName, line, column);
            sequence.AddRange(item);
            SkipSpace(newlines: _depth > 0);
        }
        return [.. sequence];
    }

    /// <summary>One item as a sequence of elements (a string literal is several).</summary>
    private List<GrammarElement> ParseItem(string ruleName)
    {
        char c = text[_pos];
        if (c == '"')
            return ParseLiteral();
        if (c == '[')
            return [ParseClass()];
        if (c == '.')
        {
            _pos++;
            return [new CharSet([(0, 0x10FFFF)], Negated: false)];
        }
        if (c == '(')
        {
            _pos++;
            if (++_depth > MaxDepth)
                throw Error($"groups nested deeper than {MaxDepth}");
            SkipSpace(newlines: true);
            var alternatives = ParseAlternatives(ruleName);
            Expect(")");
            _depth--;
            return [new RuleRef(NewRule(ruleName, alternatives))];
        }
        if (IsNameChar(c))
        {
            var (line, column) = Where();
            return [new RuleRef(RuleIndex(ParseName(), line, column))];
        }
        throw Error($"unexpected '{c}'; expected a string, a [class], '.', a rule name or '('");
    }

    private List<GrammarElement> ParseRepetition(List<GrammarElement> item, string ruleName, int line, int column)
    {
        if (_pos >= text.Length)
            return item;
        int min, max; // max < 0: unbounded
        switch (text[_pos])
        {
            case '*': _pos++; (min, max) = (0, -1); break;
            case '+': _pos++; (min, max) = (1, -1); break;
            case '?': _pos++; (min, max) = (0, 1); break;
            case '{': (min, max) = ParseBraces(); break;
            default: return item;
        }
        if (min > MaxRepetition || max > MaxRepetition)
            throw Error($"repetition counts above {MaxRepetition} are not accepted", line, column);
        var result = new List<GrammarElement>();
        for (int i = 0; i < min; i++)
            result.AddRange(item);
        if (max < 0)
        {
            // R ::= item R | ε
            int star = NewRule(ruleName, []);
            _rules[star] = [[.. item, new RuleRef(star)], []];
            result.Add(new RuleRef(star));
        }
        else if (max > min)
        {
            // Nested optionals: R1 ::= item R2 | ε, …, Rk ::= item | ε
            int next = -1;
            for (int i = max - min; i >= 1; i--)
            {
                int rule = NewRule(ruleName, []);
                _rules[rule] = next < 0 ? [[.. item], []] : [[.. item, new RuleRef(next)], []];
                next = rule;
            }
            result.Add(new RuleRef(next));
        }
        return result;
    }

    private (int Min, int Max) ParseBraces()
    {
        _pos++; // {
        SkipSpace(newlines: false);
        int min = ParseInt();
        SkipSpace(newlines: false);
        int max = min;
        if (_pos < text.Length && text[_pos] == ',')
        {
            _pos++;
            SkipSpace(newlines: false);
            max = _pos < text.Length && char.IsAsciiDigit(text[_pos]) ? ParseInt() : -1;
            SkipSpace(newlines: false);
        }
        Expect("}");
        if (max >= 0 && max < min)
            throw Error($"repetition {{{min},{max}}} has its maximum below its minimum");
        return (min, max);
    }

    private int ParseInt()
    {
        int start = _pos;
        while (_pos < text.Length && char.IsAsciiDigit(text[_pos]) && _pos - start < 6)
            _pos++;
        if (start == _pos)
            throw Error("expected a number");
        return int.Parse(text.AsSpan(start, _pos - start), CultureInfo.InvariantCulture);
    }

    private List<GrammarElement> ParseLiteral()
    {
        _pos++; // "
        var elements = new List<GrammarElement>();
        while (true)
        {
            if (_pos >= text.Length)
                throw Error("unterminated string literal");
            if (text[_pos] == '"')
            {
                _pos++;
                return elements;
            }
            int cp = ParseChar();
            elements.Add(new CharSet([(cp, cp)], Negated: false));
        }
    }

    private CharSet ParseClass()
    {
        _pos++; // [
        bool negated = _pos < text.Length && text[_pos] == '^';
        if (negated)
            _pos++;
        var ranges = new List<(int, int)>();
        while (true)
        {
            if (_pos >= text.Length)
                throw Error("unterminated character class");
            if (text[_pos] == ']')
            {
                _pos++;
                return new CharSet(ranges, negated);
            }
            int low = ParseChar();
            int high = low;
            if (_pos + 1 < text.Length && text[_pos] == '-' && text[_pos + 1] != ']')
            {
                _pos++;
                high = ParseChar();
                if (high < low)
                    throw Error($"the range U+{low:X4}-U+{high:X4} is reversed");
            }
            ranges.Add((low, high));
        }
    }

    /// <summary>One code point of a literal or class, with GBNF's escapes.</summary>
    private int ParseChar()
    {
        if (text[_pos] != '\\')
        {
            int cp = char.ConvertToUtf32(text, _pos);
            _pos += char.IsSurrogatePair(text, _pos) ? 2 : 1;
            return cp;
        }
        if (_pos + 1 >= text.Length)
            throw Error("a backslash ends the grammar");
        char e = text[_pos + 1];
        _pos += 2;
        return e switch
        {
            'n' => '\n', 'r' => '\r', 't' => '\t', '\\' => '\\', '"' => '"', '[' => '[', ']' => ']', '-' => '-', '^' => '^',
            'x' => Hex(2), 'u' => Hex(4), 'U' => Hex(8),
            _ => throw Error($"unknown escape '\\{e}'"),
        };
    }

    private int Hex(int digits)
    {
        if (_pos + digits > text.Length || !int.TryParse(text.AsSpan(_pos, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int value) || value > 0x10FFFF)
            throw Error($"expected {digits} hex digits of a code point");
        _pos += digits;
        return value;
    }

    private string ParseName()
    {
        int start = _pos;
        while (_pos < text.Length && IsNameChar(text[_pos]))
            _pos++;
        if (start == _pos)
            throw Error("expected a rule name");
        return text[start.._pos];
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

    private int RuleIndex(string name, int line, int column)
    {
        if (!_index.TryGetValue(name, out int rule))
        {
            rule = NewRule(null, null, name);
            _firstUse[rule] = (line, column);
        }
        return rule;
    }

    private int NewRule(string? parent, List<GrammarElement[]>? alternatives, string? name = null)
    {
        if (_rules.Count >= MaxRules)
            throw Error($"the grammar needs more than {MaxRules} rules");
        name ??= $"{parent}_{_rules.Count}";
        _index.TryAdd(name, _rules.Count);
        _names.Add(name);
        _rules.Add(alternatives);
        if (parent is not null)
            _defined.Add(_rules.Count - 1);
        return _rules.Count - 1;
    }

    private void SkipSpace(bool newlines)
    {
        while (_pos < text.Length)
        {
            char c = text[_pos];
            if (c == '#')
            {
                while (_pos < text.Length && text[_pos] != '\n')
                    _pos++;
            }
            else if (c is ' ' or '\t' || (newlines && c is '\n' or '\r'))
                _pos++;
            else
                break;
        }
    }

    private void Expect(string token)
    {
        if (string.CompareOrdinal(text, _pos, token, 0, token.Length) != 0)
            throw Error($"expected '{token}'");
        _pos += token.Length;
    }

    private (int Line, int Column) Where()
    {
        int line = 1, column = 1;
        for (int i = 0; i < _pos; i++)
        {
            if (text[i] == '\n') { line++; column = 1; }
            else column++;
        }
        return (line, column);
    }

    private GrammarException Error(string what)
    {
        var (line, column) = Where();
        return Error(what, line, column);
    }

    private static GrammarException Error(string what, int line, int column) => new($"line {line}, column {column}: {what}.");
}
