using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Wallfacer.Inference.Tools;

/// <summary>
/// Reads Python call syntax as MiniCPM writes tool calls — <c>name(key=value, …)</c> with literal values (strings,
/// numbers, True/False/None, lists, tuples, dicts) — into JSON. Not an evaluator: anything else is refused.
/// </summary>
internal sealed class PythonLiteral
{
    private const int MaxDepth = 32;
    private readonly string _text;
    private int _at;

    private PythonLiteral(string text) => _text = text;

    /// <summary>The calls in <paramref name="text"/>, one per line (blank lines skipped); null when any line is not a call.</summary>
    public static List<ParsedToolCall>? ParseCalls(string text)
    {
        var calls = new List<ParsedToolCall>();
        foreach (string line in text.Split('\n'))
        {
            if (line.Trim().Length == 0)
                continue;
            var parser = new PythonLiteral(line);
            if (parser.Call() is not { } call)
                return null;
            calls.Add(call);
        }
        return calls;
    }

    private ParsedToolCall? Call()
    {
        SkipSpace();
        int start = _at;
        while (_at < _text.Length && (char.IsLetterOrDigit(_text[_at]) || _text[_at] is '_' or '.' or '-'))
            _at++;
        string name = _text[start.._at];
        if (name.Length == 0 || !Eat('('))
            return null;
        var arguments = new JsonObject();
        while (true)
        {
            SkipSpace();
            if (Eat(')'))
                break;
            if (arguments.Count > 0 && !Eat(','))
                return null;
            SkipSpace();
            if (Eat(')'))
                break;
            int keyStart = _at;
            while (_at < _text.Length && (char.IsLetterOrDigit(_text[_at]) || _text[_at] == '_'))
                _at++;
            string key = _text[keyStart.._at];
            SkipSpace();
            if (key.Length == 0 || !Eat('=') || arguments.ContainsKey(key))
                return null;
            if (!TryValue(0, out var value))
                return null;
            arguments[key] = value;
        }
        SkipSpace();
        return _at == _text.Length ? new ParsedToolCall(name, arguments.ToJsonString()) : null;
    }

    private bool TryValue(int depth, out JsonNode? value)
    {
        value = null;
        SkipSpace();
        if (depth > MaxDepth || _at >= _text.Length)
            return false;
        char c = _text[_at];
        if (c is '"' or '\'')
            return TryString(out value);
        if (c is '[' or '(')
            return TrySequence(c == '[' ? ']' : ')', depth, out value);
        if (c == '{')
            return TryDict(depth, out value);
        if (Word("True")) { value = JsonValue.Create(true); return true; }
        if (Word("False")) { value = JsonValue.Create(false); return true; }
        if (Word("None")) return true;
        return TryNumber(out value);
    }

    private bool TryString(out JsonNode? value)
    {
        value = null;
        char quote = _text[_at++];
        var sb = new StringBuilder();
        while (_at < _text.Length && _text[_at] != quote)
        {
            char c = _text[_at++];
            if (c != '\\') { sb.Append(c); continue; }
            if (_at >= _text.Length) return false;
            char e = _text[_at++];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case '\\' or '\'' or '"': sb.Append(e); break;
                case 'u' when _at + 4 <= _text.Length && int.TryParse(_text.AsSpan(_at, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int u):
                    sb.Append((char)u); _at += 4; break;
                default: sb.Append('\\').Append(e); break;
            }
        }
        if (!Eat(quote)) return false;
        value = JsonValue.Create(sb.ToString());
        return true;
    }

    private bool TrySequence(char close, int depth, out JsonNode? value)
    {
        value = null;
        _at++;
        var array = new JsonArray();
        while (true)
        {
            SkipSpace();
            if (Eat(close)) break;
            if (array.Count > 0 && !Eat(',')) return false;
            SkipSpace();
            if (Eat(close)) break;
            if (!TryValue(depth + 1, out var item)) return false;
            array.Add(item);
        }
        value = array;
        return true;
    }

    private bool TryDict(int depth, out JsonNode? value)
    {
        value = null;
        _at++;
        var dict = new JsonObject();
        while (true)
        {
            SkipSpace();
            if (Eat('}')) break;
            if (dict.Count > 0 && !Eat(',')) return false;
            SkipSpace();
            if (Eat('}')) break;
            if (!TryValue(depth + 1, out var key) || key is not JsonValue k || !k.TryGetValue(out string? name)) return false;
            SkipSpace();
            if (!Eat(':') || !TryValue(depth + 1, out var item)) return false;
            dict[name] = item;
        }
        value = dict;
        return true;
    }

    private bool TryNumber(out JsonNode? value)
    {
        value = null;
        int start = _at;
        if (_at < _text.Length && _text[_at] is '-' or '+') _at++;
        while (_at < _text.Length && (char.IsAsciiDigit(_text[_at]) || _text[_at] is '.' or 'e' or 'E' or '_' ||
                                      (_text[_at] is '-' or '+' && _text[_at - 1] is 'e' or 'E')))
            _at++;
        string number = _text[start.._at].Replace("_", "", StringComparison.Ordinal);
        if (long.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) { value = JsonValue.Create(l); return true; }
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)) { value = JsonValue.Create(d); return true; }
        return false;
    }

    private bool Word(string word)
    {
        if (string.CompareOrdinal(_text, _at, word, 0, word.Length) != 0) return false;
        int end = _at + word.Length;
        if (end < _text.Length && (char.IsLetterOrDigit(_text[end]) || _text[end] == '_')) return false;
        _at = end;
        return true;
    }

    private bool Eat(char c)
    {
        if (_at < _text.Length && _text[_at] == c) { _at++; return true; }
        return false;
    }

    private void SkipSpace()
    {
        while (_at < _text.Length && _text[_at] is ' ' or '\t' or '\r') _at++;
    }
}
