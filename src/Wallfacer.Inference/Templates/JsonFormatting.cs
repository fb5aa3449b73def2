using System.Globalization;
using System.Text;

namespace Wallfacer.Inference.Templates;

/// <summary>
/// The <c>tojson</c> filter as transformers defines it: Python's
/// <c>json.dumps(x, ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys)</c>.
/// Non-ASCII is kept, key order is preserved, floats print as <c>float.__repr__</c>.
/// </summary>
internal sealed class JsonFormatting
{
    private readonly StringBuilder _sb = new();
    private readonly string? _indent;
    private readonly string _itemSeparator;
    private readonly string _keySeparator;
    private readonly bool _sortKeys;
    private readonly int _maxDepth;

    private JsonFormatting(string? indent, string itemSeparator, string keySeparator, bool sortKeys, int maxDepth)
    {
        _indent = indent;
        _itemSeparator = itemSeparator;
        _keySeparator = keySeparator;
        _sortKeys = sortKeys;
        _maxDepth = maxDepth;
    }

    public static string Dumps(object? value, object? indent, object? separators, bool sortKeys, int maxDepth)
    {
        string? indentText = indent switch
        {
            null => null,
            long n => new string(' ', (int)Math.Max(0, n)),
            string s => s,
            _ => throw TemplateRenderException.Type($"tojson: indent must be an int or a string, not {PyTypes.TypeName(indent)}"),
        };
        var (item, key) = separators switch
        {
            null => (indentText == null ? ", " : ",", ": "),
            PyList { Count: 2 } p when p[0] is string a && p[1] is string b => (a, b),
            _ => throw TemplateRenderException.Type("tojson: separators must be a (item_separator, key_separator) pair of strings"),
        };
        var writer = new JsonFormatting(indentText, item, key, sortKeys, maxDepth);
        writer.Write(value, 0);
        return writer._sb.ToString();
    }

    private void Write(object? value, int depth)
    {
        if (depth > _maxDepth)
            throw TemplateRenderException.Limit($"tojson: value nested deeper than {_maxDepth} (JinjaOptions.MaxRecursionDepth)");
        switch (value)
        {
            case null: _sb.Append("null"); break;
            case bool b: _sb.Append(b ? "true" : "false"); break;
            case long l: _sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d: _sb.Append(FloatText(d)); break;
            case string s: WriteString(s); break;
            case PyList list: WriteList(list, depth); break;
            case PyDict dict: WriteDict(dict, depth); break;
            default: throw TemplateRenderException.Type($"Object of type {PyTypes.TypeName(value)} is not JSON serializable");
        }
    }

    private static string FloatText(double d) =>
        double.IsNaN(d) ? "NaN" : double.IsInfinity(d) ? (d > 0 ? "Infinity" : "-Infinity") : PythonFormatting.FloatRepr(d);

    private void WriteList(PyList list, int depth)
    {
        if (list.Count == 0)
        {
            _sb.Append("[]");
            return;
        }
        _sb.Append('[');
        for (int i = 0; i < list.Count; i++)
        {
            Separate(i, depth + 1);
            Write(list[i], depth + 1);
        }
        NewLine(depth);
        _sb.Append(']');
    }

    private void WriteDict(PyDict dict, int depth)
    {
        if (dict.Count == 0)
        {
            _sb.Append("{}");
            return;
        }
        var pairs = dict.Pairs.Select(p => (Key: KeyText(p.Key), p.Value)).ToList();
        if (_sortKeys)
            pairs.Sort((a, b) => PyOps.CompareStrings(a.Key, b.Key));
        _sb.Append('{');
        for (int i = 0; i < pairs.Count; i++)
        {
            Separate(i, depth + 1);
            WriteString(pairs[i].Key);
            _sb.Append(_keySeparator);
            Write(pairs[i].Value, depth + 1);
        }
        NewLine(depth);
        _sb.Append('}');
    }

    private static string KeyText(object? key) => key switch
    {
        string s => s,
        null => "null",
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FloatText(d),
        _ => throw TemplateRenderException.Type($"keys must be str, int, float, bool or None, not {PyTypes.TypeName(key)}"),
    };

    private void Separate(int index, int depth)
    {
        if (index > 0)
            _sb.Append(_itemSeparator);
        NewLine(depth);
    }

    private void NewLine(int depth)
    {
        if (_indent == null)
            return;
        _sb.Append('\n');
        for (int i = 0; i < depth; i++)
            _sb.Append(_indent);
    }

    private void WriteString(string s)
    {
        _sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': _sb.Append("\\\""); break;
                case '\\': _sb.Append("\\\\"); break;
                case '\n': _sb.Append("\\n"); break;
                case '\r': _sb.Append("\\r"); break;
                case '\t': _sb.Append("\\t"); break;
                case '\b': _sb.Append("\\b"); break;
                case '\f': _sb.Append("\\f"); break;
                default:
                    if (c < 0x20)
                        _sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        _sb.Append(c);
                    break;
            }
        }
        _sb.Append('"');
    }
}
