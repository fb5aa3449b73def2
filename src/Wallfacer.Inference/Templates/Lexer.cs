namespace Wallfacer.Inference.Templates;

/// <summary>
/// Splits a template into tokens exactly as jinja2 3.1's <c>lexer.py</c> does with
/// <c>trim_blocks=True, lstrip_blocks=True</c>: <c>{%-</c>/<c>-%}</c> strip all white space on that side,
/// <c>%}</c> eats one following newline, a block or comment tag alone on its line takes the line's
/// indentation with it, and <c>{%+</c>/<c>+%}</c> opt out. Expression tokens follow jinja's regexes.
/// </summary>
internal sealed partial class Lexer
{
    private readonly SourceText _source;
    private readonly string _src;
    private readonly List<Token> _tokens = new();
    private readonly Stack<char> _brackets = new();
    private int _pos;

    /// <summary>jinja's <c>line_starting</c>: the last consumed chunk ended with a newline.</summary>
    private bool _lineStarting = true;

    private Lexer(SourceText source)
    {
        _source = source;
        _src = source.Text;
    }

    public static List<Token> Tokenize(SourceText source)
    {
        var lexer = new Lexer(source);
        lexer.LexRoot();
        lexer._tokens.Add(new Token(TokenKind.End, "", null, source.Text.Length));
        return lexer._tokens;
    }

    private void LexRoot()
    {
        while (_pos < _src.Length)
        {
            int open = FindOpener(_pos);
            if (open < 0)
            {
                AddData(_src[_pos..], _pos);
                return;
            }
            char kind = _src[open + 1];
            char sign = open + 2 < _src.Length && _src[open + 2] is '-' or '+' ? _src[open + 2] : '\0';
            string text = StripBeforeTag(_src[_pos..open], sign, isVariable: kind == '{');
            AddData(text, _pos);
            if (kind == '%' && TryRawBegin(open, out int bodyStart))
            {
                _pos = bodyStart;
                LexRawBody();
                continue;
            }
            _pos = open + 2 + (sign == '\0' ? 0 : 1);
            _lineStarting = false;
            switch (kind)
            {
                case '{':
                    _tokens.Add(new Token(TokenKind.VariableBegin, "{{", null, open));
                    LexTag(isBlock: false);
                    break;
                case '%':
                    _tokens.Add(new Token(TokenKind.BlockBegin, "{%", null, open));
                    LexTag(isBlock: true);
                    break;
                default:
                    SkipComment(open);
                    break;
            }
        }
    }

    private int FindOpener(int from)
    {
        for (int i = _src.IndexOf('{', from); i >= 0 && i + 1 < _src.Length; i = _src.IndexOf('{', i + 1))
        {
            if (_src[i + 1] is '{' or '%' or '#')
                return i;
        }
        return -1;
    }

    /// <summary>jinja's <c>OptionalLStrip</c>: <c>-</c> strips all white space before the tag; otherwise a
    /// block or comment tag preceded only by indentation on its line takes the indentation (lstrip_blocks).</summary>
    private string StripBeforeTag(string text, char sign, bool isVariable)
    {
        if (sign == '-')
            return PyChars.TrimEndSpace(text);
        if (sign == '+' || isVariable)
            return text;
        int lineStart = text.LastIndexOf('\n') + 1;
        if ((lineStart > 0 || _lineStarting) && lineStart < text.Length && PyChars.IsAllSpace(text, lineStart))
            return text[..lineStart];
        return text;
    }

    private void AddData(string text, int position)
    {
        if (text.Length > 0)
            _tokens.Add(new Token(TokenKind.Data, text, text, position));
    }

    /// <summary>Consumes a tag end at <see cref="_pos"/> if there is one (and brackets are balanced).</summary>
    private bool TryTagEnd(bool isBlock)
    {
        if (_brackets.Count > 0)
            return false;
        int start = _pos;
        char close = isBlock ? '%' : '}';
        if (isBlock && Matches(_pos, "+%}"))
        {
            _pos += 3;
        }
        else if (Matches(_pos, "-" + close + "}"))
        {
            _pos += 3;
            SkipSpace();
        }
        else if (Matches(_pos, close + "}"))
        {
            _pos += 2;
            if (isBlock && _pos < _src.Length && _src[_pos] == '\n')
                _pos++; // trim_blocks
        }
        else
        {
            return false;
        }
        _lineStarting = _src[_pos - 1] == '\n';
        _tokens.Add(new Token(isBlock ? TokenKind.BlockEnd : TokenKind.VariableEnd, _src[start.._pos], null, start));
        return true;
    }

    private void LexTag(bool isBlock)
    {
        while (!TryTagEnd(isBlock))
        {
            if (_pos >= _src.Length)
                throw _source.Error($"unexpected end of template, expected '{(isBlock ? "%}" : "}}")}'", _pos);
            char c = _src[_pos];
            if (PyChars.IsSpace(c))
                SkipSpace();
            else if (char.IsAsciiDigit(c))
                LexNumber();
            else if (PyChars.IsIdentifierStart(c))
                LexName();
            else if (c is '\'' or '"')
                LexString();
            else
                LexOperator();
        }
    }

    private void SkipComment(int open)
    {
        for (int i = _pos; i < _src.Length; i++)
        {
            if (Matches(i, "+#}"))
            {
                _pos = i + 3;
            }
            else if (Matches(i, "-#}"))
            {
                _pos = i + 3;
                SkipSpace();
            }
            else if (Matches(i, "#}"))
            {
                _pos = i + 2;
                if (_pos < _src.Length && _src[_pos] == '\n')
                    _pos++;
            }
            else
            {
                continue;
            }
            _lineStarting = _src[_pos - 1] == '\n';
            return;
        }
        throw _source.Error("Missing end of comment tag", open);
    }

    /// <summary>Matches <c>{%[-+]?\s*raw\s*(-%}\s*|%})</c> at <paramref name="open"/>.</summary>
    private bool TryRawBegin(int open, out int bodyStart)
    {
        bodyStart = 0;
        int i = open + 2;
        if (i < _src.Length && _src[i] is '-' or '+')
            i++;
        i = SkipSpaceFrom(i);
        if (!Matches(i, "raw"))
            return false;
        i = SkipSpaceFrom(i + 3);
        if (Matches(i, "-%}"))
        {
            bodyStart = SkipSpaceFrom(i + 3);
        }
        else if (Matches(i, "%}"))
        {
            bodyStart = i + 2;
        }
        else
        {
            return false;
        }
        _lineStarting = _src[bodyStart - 1] == '\n';
        return true;
    }

    private void LexRawBody()
    {
        for (int open = FindOpener(_pos); open >= 0; open = FindOpener(open + 1))
        {
            if (_src[open + 1] != '%')
                continue;
            int i = open + 2;
            char sign = i < _src.Length && _src[i] is '-' or '+' ? _src[i++] : '\0';
            i = SkipSpaceFrom(i);
            if (!Matches(i, "endraw"))
                continue;
            i = SkipSpaceFrom(i + 6);
            int end;
            if (Matches(i, "+%}"))
                end = i + 3;
            else if (Matches(i, "-%}"))
                end = SkipSpaceFrom(i + 3);
            else if (Matches(i, "%}"))
                end = i + 2 < _src.Length && _src[i + 2] == '\n' ? i + 3 : i + 2;
            else
                continue;
            AddData(StripBeforeTag(_src[_pos..open], sign, isVariable: false), _pos);
            _pos = end;
            _lineStarting = _src[end - 1] == '\n';
            return;
        }
        throw _source.Error("Missing end of raw directive", _pos);
    }

    private bool Matches(int at, string s) => at + s.Length <= _src.Length && string.CompareOrdinal(_src, at, s, 0, s.Length) == 0;

    private void SkipSpace() => _pos = SkipSpaceFrom(_pos);

    private int SkipSpaceFrom(int i)
    {
        while (i < _src.Length && PyChars.IsSpace(_src[i]))
            i++;
        return i;
    }
}
