using System.Globalization;
using System.Text;

namespace Wallfacer.Inference.Grammar;

/// <summary>
/// Recursive-descent parser for GBNF, following llama.cpp's grammar-parser (src/llama-grammar.cpp):
/// a rule is <c>name ::= alternatives</c> ending at a line break (line breaks are free inside parentheses
/// and after <c>|</c>); <c>#</c> starts a comment.
/// </summary>
internal sealed class GbnfParser
{
    private sealed class Rule(string name)
    {
        public string Name { get; } = name;
        public List<List<GrammarElement>>? Alternatives { get; set; }
        public int Generated { get; set; }
        public (int Line, int Column) FirstUse { get; set; }
    }

    private readonly int[] _text; // the source as code points
    private readonly int[] _lines, _columns;
    private readonly List<Rule> _rules = [];
    private readonly Dictionary<string, int> _ruleIds = [];
    private readonly List<CharSet> _charSets = [];
    private readonly Dictionary<int, int> _singleCharSets = [];
    private int _pos, _depth, _elementCount;

    public GbnfParser(string text)
    {
        if (text.Length > GbnfGrammar.MaxSourceLength)
            throw new GrammarException($"The grammar is {text.Length} characters long; the limit is {GbnfGrammar.MaxSourceLength}.");
        var cps = new List<int>(text.Length);
        var lines = new List<int>(text.Length);
        var cols = new List<int>(text.Length);
        int line = 1, col = 1;
        foreach (Rune r in text.EnumerateRunes())
        {
            cps.Add(r.Value); lines.Add(line); cols.Add(col);
            if (r.Value == '\n') { line++; col = 1; } else col++;
        }
        lines.Add(line); cols.Add(col);
        _text = [.. cps]; _lines = [.. lines]; _columns = [.. cols];
    }

    public GbnfGrammar Parse()
    {
        SkipSpace(newlineOk: true);
        while (_pos < _text.Length)
        {
            ParseRule();
            SkipSpace(newlineOk: true);
        }
        if (!_ruleIds.TryGetValue("root", out int root) || _rules[root].Alternatives is null)
            throw new GrammarException("The grammar has no 'root' rule.");
        foreach (Rule rule in _rules)
        {
            if (rule.Alternatives is null)
                throw new GrammarException($"Undefined rule '{rule.Name}'.", rule.FirstUse.Line, rule.FirstUse.Column);
        }
        RefuseLeftRecursion();
        return Flatten(root);
    }

    private int Peek(int ahead = 0) => _pos + ahead < _text.Length ? _text[_pos + ahead] : -1;

    private GrammarException Error(string message) => new(message, _lines[_pos], _columns[_pos]);

    private string Describe(int c) => c < 0 ? "end of input" : c == '\n' ? "a line break" : $"'{char.ConvertFromUtf32(c)}'";

    private static bool IsNameChar(int c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_';

    private void SkipSpace(bool newlineOk)
    {
        while (_pos < _text.Length)
        {
            int c = _text[_pos];
            if (c is ' ' or '\t' || (newlineOk && c is '\r' or '\n'))
                _pos++;
            else if (c == '#')
                while (_pos < _text.Length && _text[_pos] is not ('\r' or '\n')) _pos++;
            else
                break;
        }
    }

    private string ParseName()
    {
        int start = _pos;
        while (IsNameChar(Peek())) _pos++;
        if (_pos == start)
            throw Error($"Expected a rule name but found {Describe(Peek())}.");
        var sb = new StringBuilder();
        for (int i = start; i < _pos; i++) sb.Append((char)_text[i]);
        return sb.ToString();
    }

    private void ParseRule()
    {
        int line = _lines[_pos], col = _columns[_pos];
        string name = ParseName();
        SkipSpace(newlineOk: false);
        if (!(Peek() == ':' && Peek(1) == ':' && Peek(2) == '='))
            throw Error($"Expected '::=' after rule name '{name}' but found {Describe(Peek())}.");
        _pos += 3;
        SkipSpace(newlineOk: true);
        int id = RuleId(name, line, col);
        if (_rules[id].Alternatives is not null)
            throw new GrammarException($"Rule '{name}' is defined twice.", line, col);
        _rules[id].Alternatives = []; // defined (so a self-reference is not "undefined")
        _rules[id].Alternatives = ParseAlternates(name, nested: false);
        if (Peek() == '\r') _pos += Peek(1) == '\n' ? 2 : 1;
        else if (Peek() == '\n') _pos++;
        else if (Peek() >= 0) throw Error($"Expected a line break or the end of the rule but found {Describe(Peek())}.");
    }

    private int RuleId(string name, int line, int column)
    {
        if (_ruleIds.TryGetValue(name, out int id)) return id;
        return AddRule(new Rule(name) { FirstUse = (line, column) });
    }

    private int AddRule(Rule rule)
    {
        if (_rules.Count >= GbnfGrammar.MaxRules)
            throw Error($"The grammar needs more than {GbnfGrammar.MaxRules} rules (repetitions and groups count).");
        _rules.Add(rule);
        _ruleIds[rule.Name] = _rules.Count - 1;
        return _rules.Count - 1;
    }

    private int GenerateRule(string parent, List<List<GrammarElement>> alternatives)
    {
        Rule p = _rules[_ruleIds[parent]];
        string name;
        do name = $"{parent}_{++p.Generated}"; while (_ruleIds.ContainsKey(name));
        int id = AddRule(new Rule(name) { Alternatives = alternatives });
        foreach (var alt in alternatives) Count(alt.Count + 1);
        return id;
    }

    private void Count(int elements)
    {
        _elementCount += elements;
        if (_elementCount > GbnfGrammar.MaxElements)
            throw Error($"The grammar needs more than {GbnfGrammar.MaxElements} elements (repetitions expand).");
    }

    private List<List<GrammarElement>> ParseAlternates(string rule, bool nested)
    {
        var alternatives = new List<List<GrammarElement>> { ParseSequence(rule, nested) };
        while (Peek() == '|')
        {
            _pos++;
            SkipSpace(newlineOk: true);
            alternatives.Add(ParseSequence(rule, nested));
        }
        if (!nested)
            foreach (var alt in alternatives) Count(alt.Count + 1);
        return alternatives;
    }

    private List<GrammarElement> ParseSequence(string rule, bool nested)
    {
        var seq = new List<GrammarElement>();
        int lastStart = 0;
        while (true)
        {
            int c = Peek();
            if (c == '"')
            {
                lastStart = seq.Count;
                _pos++;
                while (Peek() != '"')
                {
                    if (Peek() < 0 || Peek() is '\r' or '\n') throw Error("Expected '\"' to end the string literal.");
                    seq.Add(Chars(SingleCharSet(ParseChar())));
                }
                _pos++;
            }
            else if (c == '[')
            {
                lastStart = seq.Count;
                seq.Add(Chars(ParseCharClass()));
            }
            else if (c == '.')
            {
                lastStart = seq.Count;
                _pos++;
                seq.Add(Chars(AddCharSet(CharSet.Any)));
            }
            else if (IsNameChar(c))
            {
                lastStart = seq.Count;
                int line = _lines[_pos], col = _columns[_pos];
                seq.Add(new GrammarElement(ElementKind.Rule, RuleId(ParseName(), line, col)));
            }
            else if (c == '(')
            {
                lastStart = seq.Count;
                if (++_depth > GbnfGrammar.MaxNesting) throw Error($"Parentheses are nested more than {GbnfGrammar.MaxNesting} deep.");
                _pos++;
                SkipSpace(newlineOk: true);
                var inner = ParseAlternates(rule, nested: true);
                if (Peek() != ')') throw Error($"Expected ')' but found {Describe(Peek())}.");
                _pos++;
                _depth--;
                seq.Add(new GrammarElement(ElementKind.Rule, GenerateRule(rule, inner)));
            }
            else if (c is '*' or '+' or '?' or '{')
            {
                if (lastStart == seq.Count) throw Error($"Expected an item before '{(char)c}'.");
                var (min, max) = ParseRepetition();
                ApplyRepetition(rule, seq, lastStart, min, max);
            }
            else
            {
                break;
            }
            SkipSpace(nested);
        }
        return seq;
    }

    private (int Min, int Max) ParseRepetition()
    {
        int c = _text[_pos++];
        if (c == '*') return (0, -1);
        if (c == '+') return (1, -1);
        if (c == '?') return (0, 1);
        SkipSpace(newlineOk: false);
        int min = ParseInt();
        int max = min;
        SkipSpace(newlineOk: false);
        if (Peek() == ',')
        {
            _pos++;
            SkipSpace(newlineOk: false);
            max = Peek() is >= '0' and <= '9' ? ParseInt() : -1;
            SkipSpace(newlineOk: false);
        }
        if (Peek() != '}') throw Error($"Expected '}}' to end the repetition but found {Describe(Peek())}.");
        _pos++;
        if (max >= 0 && max < min) throw Error($"The repetition's upper bound {max} is below its lower bound {min}.");
        return (min, max);
    }

    private int ParseInt()
    {
        if (Peek() is not (>= '0' and <= '9')) throw Error($"Expected a number but found {Describe(Peek())}.");
        long value = 0;
        while (Peek() is >= '0' and <= '9')
        {
            value = value * 10 + (_text[_pos++] - '0');
            if (value > GbnfGrammar.MaxRepetition) throw Error($"Repetition bounds must not exceed {GbnfGrammar.MaxRepetition}.");
        }
        return (int)value;
    }

    /// <summary>Rewrites <c>seq[start..]</c> repeated min..max times (max −1 = unbounded) with generated rules.</summary>
    private void ApplyRepetition(string rule, List<GrammarElement> seq, int start, int min, int max)
    {
        GrammarElement item;
        if (seq.Count - start == 1)
        {
            item = seq[start];
        }
        else
        {
            item = new GrammarElement(ElementKind.Rule, GenerateRule(rule, [seq.GetRange(start, seq.Count - start)]));
        }
        seq.RemoveRange(start, seq.Count - start);
        Count(min);
        for (int i = 0; i < min; i++) seq.Add(item);
        if (max < 0)
        {
            // star ::= item star | ε   (right recursion: the matcher's stacks do not grow)
            int star = GenerateRule(rule, [[], []]);
            _rules[star].Alternatives![0].AddRange([item, new GrammarElement(ElementKind.Rule, star)]);
            Count(2);
            seq.Add(new GrammarElement(ElementKind.Rule, star));
            return;
        }
        // up to (max − min) more: opt_k ::= item opt_{k−1} | ε, opt_1 ::= item | ε
        GrammarElement? inner = null;
        for (int k = 0; k < max - min; k++)
        {
            var first = inner is { } i ? new List<GrammarElement> { item, i } : [item];
            inner = new GrammarElement(ElementKind.Rule, GenerateRule(rule, [first, []]));
        }
        if (inner is { } opt) seq.Add(opt);
    }

    private GrammarElement Chars(int charSet) => new(ElementKind.Chars, charSet);

    private int AddCharSet(CharSet set)
    {
        _charSets.Add(set);
        return _charSets.Count - 1;
    }

    private int SingleCharSet(int codePoint)
    {
        if (!_singleCharSets.TryGetValue(codePoint, out int id))
            _singleCharSets[codePoint] = id = AddCharSet(CharSet.Single(codePoint));
        return id;
    }

    private int ParseCharClass()
    {
        _pos++; // '['
        bool negated = Peek() == '^';
        if (negated) _pos++;
        var ranges = new List<(int, int)>();
        while (Peek() != ']')
        {
            if (Peek() < 0) throw Error("Expected ']' to end the character class.");
            int lo = ParseChar();
            int hi = lo;
            if (Peek() == '-' && Peek(1) is not (']' or -1))
            {
                _pos++;
                hi = ParseChar();
                if (hi < lo) throw Error($"The character range ends (U+{hi:X4}) before it starts (U+{lo:X4}).");
            }
            ranges.Add((lo, hi));
        }
        _pos++;
        return AddCharSet(new CharSet(ranges, negated));
    }

    /// <summary>One character of a literal or class, with escapes: \n \t \r \\ \" \[ \] \xHH \uHHHH \UHHHHHHHH.</summary>
    private int ParseChar()
    {
        int c = Peek();
        if (c < 0) throw Error("Unexpected end of input.");
        _pos++;
        if (c != '\\') return c;
        int e = Peek();
        _pos++;
        switch (e)
        {
            case 'n': return '\n';
            case 't': return '\t';
            case 'r': return '\r';
            case '\\' or '"' or '[' or ']' or '-' or '^': return e;
            case 'x': return ParseHex(2);
            case 'u': return ParseHex(4);
            case 'U': return ParseHex(8);
            default:
                _pos--;
                throw Error($"Unknown escape '\\{(e < 0 ? "" : char.ConvertFromUtf32(e))}'; expected one of \\n \\t \\r \\\\ \\\" \\[ \\] \\xHH \\uHHHH \\UHHHHHHHH.");
        }
    }

    private int ParseHex(int digits)
    {
        long value = 0;
        for (int i = 0; i < digits; i++)
        {
            int c = Peek();
            int d = c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'f' ? c - 'a' + 10 : c is >= 'A' and <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) throw Error($"Expected {digits} hex digits but found {Describe(c)}.");
            value = value * 16 + d;
            _pos++;
        }
        if (value > 0x10FFFF) throw Error($"U+{value:X} is beyond the last code point U+10FFFF.");
        return (int)value;
    }

    /// <summary>
    /// Refuses rules that can reach themselves without consuming input (<c>a ::= a "x"</c>, or through nullable
    /// prefixes): the matcher's stack expansion would never end.
    /// </summary>
    private void RefuseLeftRecursion()
    {
        int n = _rules.Count;
        var nullable = new bool[n];
        for (bool changed = true; changed;)
        {
            changed = false;
            for (int r = 0; r < n; r++)
            {
                if (nullable[r]) continue;
                if (_rules[r].Alternatives!.Any(alt => alt.All(e => e.Kind == ElementKind.Rule && nullable[e.Value])))
                    nullable[r] = changed = true;
            }
        }

        var starts = new List<int>[n]; // rules each rule can begin with
        for (int r = 0; r < n; r++)
        {
            starts[r] = [];
            foreach (var alt in _rules[r].Alternatives!)
            {
                foreach (GrammarElement e in alt)
                {
                    if (e.Kind != ElementKind.Rule) break;
                    starts[r].Add(e.Value);
                    if (!nullable[e.Value]) break;
                }
            }
        }

        var state = new byte[n]; // 0 unvisited, 1 on the path, 2 done
        var path = new List<int>();
        for (int r = 0; r < n; r++) Visit(r);

        void Visit(int r)
        {
            if (state[r] == 2) return;
            if (state[r] == 1)
            {
                var cycle = path.Skip(path.IndexOf(r)).Append(r).Select(i => _rules[i].Name);
                var (line, col) = _rules[r].FirstUse;
                throw new GrammarException($"Left recursion is not supported: {string.Join(" -> ", cycle)}.", line, col);
            }
            state[r] = 1;
            path.Add(r);
            foreach (int s in starts[r]) Visit(s);
            path.RemoveAt(path.Count - 1);
            state[r] = 2;
        }
    }

    private GbnfGrammar Flatten(int root)
    {
        var elements = new List<GrammarElement>();
        var alternatives = new int[_rules.Count][];
        for (int r = 0; r < _rules.Count; r++)
        {
            var alts = _rules[r].Alternatives!;
            alternatives[r] = new int[alts.Count];
            for (int a = 0; a < alts.Count; a++)
            {
                alternatives[r][a] = elements.Count;
                elements.AddRange(alts[a]);
                elements.Add(new GrammarElement(ElementKind.End, 0));
            }
        }
        return new GbnfGrammar([.. elements], alternatives, [.. _charSets], [.. _rules.Select(r => r.Name)], root);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"GbnfParser at {_pos}");
}
