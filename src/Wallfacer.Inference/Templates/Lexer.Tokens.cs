using System.Globalization;
using System.Text;

namespace Wallfacer.Inference.Templates;

/// <summary>The expression tokens inside <c>{{ }}</c> and <c>{% %}</c>: numbers, names, strings, operators.</summary>
internal sealed partial class Lexer
{
    // Longest first, as jinja sorts its operator regex.
    private static readonly string[] Operators =
    [
        "//", "**", "==", "!=", ">=", "<=",
        "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";",
    ];

    private void LexName()
    {
        int start = _pos;
        while (_pos < _src.Length && PyChars.IsIdentifierPart(_src[_pos]))
            _pos++;
        string name = _src[start.._pos];
        _tokens.Add(new Token(TokenKind.Name, name, name, start));
    }

    private void LexOperator()
    {
        foreach (var op in Operators)
        {
            if (!Matches(_pos, op))
                continue;
            TrackBracket(op);
            _tokens.Add(new Token(TokenKind.Operator, op, op, _pos));
            _pos += op.Length;
            return;
        }
        throw _source.Error($"unexpected char '{_src[_pos]}' at {_pos}", _pos);
    }

    private void TrackBracket(string op)
    {
        switch (op)
        {
            case "(": _brackets.Push(')'); break;
            case "[": _brackets.Push(']'); break;
            case "{": _brackets.Push('}'); break;
            case ")" or "]" or "}":
                if (_brackets.Count == 0)
                    throw _source.Error($"unexpected '{op}'", _pos);
                char expected = _brackets.Pop();
                if (expected != op[0])
                    throw _source.Error($"unexpected '{op}', expected '{expected}'", _pos);
                break;
        }
    }

    /// <summary>jinja's integer and float regexes: <c>0x</c>/<c>0o</c>/<c>0b</c> prefixes, <c>_</c> separators,
    /// fractions and exponents; no float straight after a dot (so <c>a.0.1</c> is two subscripts).</summary>
    private void LexNumber()
    {
        int start = _pos;
        if (_src[_pos] == '0' && _pos + 1 < _src.Length && char.ToLowerInvariant(_src[_pos + 1]) is 'x' or 'o' or 'b')
        {
            LexPrefixedInteger(start);
            return;
        }
        SkipDigits();
        bool isFloat = false;
        bool afterDot = start > 0 && _src[start - 1] == '.';
        if (!afterDot && _pos + 1 < _src.Length && _src[_pos] == '.' && char.IsAsciiDigit(_src[_pos + 1]))
        {
            _pos++;
            SkipDigits();
            isFloat = true;
        }
        if (!afterDot && TryExponent())
            isFloat = true;
        string text = _src[start.._pos].Replace("_", "");
        object value;
        if (isFloat)
            value = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        else if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long l))
            value = l;
        else
            throw _source.Error($"integer literal {text} is beyond 64 bits", start);
        _tokens.Add(new Token(isFloat ? TokenKind.Float : TokenKind.Integer, text, value, start));
    }

    private void SkipDigits()
    {
        while (_pos < _src.Length && (char.IsAsciiDigit(_src[_pos]) || (_src[_pos] == '_' && _pos + 1 < _src.Length && char.IsAsciiDigit(_src[_pos + 1]))))
            _pos++;
    }

    private bool TryExponent()
    {
        if (_pos >= _src.Length || char.ToLowerInvariant(_src[_pos]) != 'e')
            return false;
        int i = _pos + 1;
        if (i < _src.Length && _src[i] is '+' or '-')
            i++;
        if (i >= _src.Length || !char.IsAsciiDigit(_src[i]))
            return false;
        _pos = i;
        SkipDigits();
        return true;
    }

    private void LexPrefixedInteger(int start)
    {
        int radix = char.ToLowerInvariant(_src[start + 1]) switch { 'x' => 16, 'o' => 8, _ => 2 };
        _pos = start + 2;
        long value = 0;
        while (_pos < _src.Length && (char.IsAsciiHexDigit(_src[_pos]) || _src[_pos] == '_'))
        {
            char c = _src[_pos];
            if (c != '_')
            {
                int digit = Convert.ToInt32(c.ToString(), 16);
                if (digit >= radix)
                    break;
                value = checked(value * radix + digit);
            }
            _pos++;
        }
        _tokens.Add(new Token(TokenKind.Integer, _src[start.._pos], value, start));
    }

    private void LexString()
    {
        int start = _pos;
        char quote = _src[_pos++];
        while (_pos < _src.Length && _src[_pos] != quote)
            _pos += _src[_pos] == '\\' ? 2 : 1;
        if (_pos >= _src.Length)
            throw _source.Error($"unexpected char '{quote}' at {start}", start);
        _pos++;
        string body = _src[(start + 1)..(_pos - 1)];
        _tokens.Add(new Token(TokenKind.String, _src[start.._pos], Unescape(body, start), start));
    }

    /// <summary>Python's <c>unicode-escape</c> decoding, which jinja applies to string literals.</summary>
    private string Unescape(string body, int position)
    {
        if (!body.Contains('\\'))
            return body;
        var sb = new StringBuilder(body.Length);
        for (int i = 0; i < body.Length; i++)
        {
            char c = body[i];
            if (c != '\\' || i + 1 >= body.Length)
            {
                sb.Append(c);
                continue;
            }
            char e = body[++i];
            switch (e)
            {
                case '\n': break; // line continuation
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case 'x': i = AppendHexEscape(sb, body, i, 2, position); break;
                case 'u': i = AppendHexEscape(sb, body, i, 4, position); break;
                case 'U': i = AppendHexEscape(sb, body, i, 8, position); break;
                case >= '0' and <= '7': i = AppendOctalEscape(sb, body, i); break;
                default: sb.Append('\\').Append(e); break; // unknown escapes stay as written
            }
        }
        return sb.ToString();
    }

    private int AppendHexEscape(StringBuilder sb, string body, int i, int digits, int position)
    {
        if (i + digits >= body.Length)
            throw _source.Error($"truncated \\{body[i]} escape", position);
        string hex = body.Substring(i + 1, digits);
        if (!int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code) || code > 0x10FFFF)
            throw _source.Error($"truncated \\{body[i]} escape", position);
        sb.Append(code is >= 0xD800 and <= 0xDFFF ? ((char)code).ToString() : char.ConvertFromUtf32(code)); // lone surrogates are legal Python
        return i + digits;
    }

    private static int AppendOctalEscape(StringBuilder sb, string body, int i)
    {
        int code = 0, n = 0;
        while (n < 3 && i < body.Length && body[i] is >= '0' and <= '7')
        {
            code = code * 8 + (body[i] - '0');
            i++;
            n++;
        }
        sb.Append((char)code);
        return i - 1;
    }
}
