using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Wallfacer.Inference.Templates;

/// <summary>
/// jinja2's built-in filters (<c>filters.py</c>, 3.1) plus transformers' <c>tojson</c>. String filters are
/// here; sequence and mapping filters are in <c>Filters.Collections.cs</c>. Filters that return
/// generators in Python (<c>map</c>, <c>select</c>, <c>items</c>, ...) return lists here.
/// </summary>
internal static partial class Filters
{
    private delegate object? Filter(Interpreter interpreter, object? value, Arguments args);

    private static readonly Dictionary<string, Filter> All = new(StringComparer.Ordinal)
    {
        ["abs"] = (_, v, _) => Abs(v),
        ["attr"] = (_, v, a) => Attr(v, a.Required(0, "name", "attr") as string ?? ""),
        ["batch"] = (_, v, a) => Batch(v, a),
        ["capitalize"] = (_, v, _) => StringMethods.Capitalize(PythonFormatting.Str(v)),
        ["center"] = (_, v, a) => StringMethods.Call(PythonFormatting.Str(v), "center", Arguments.Of(a.Get(0, "width", 80L))),
        ["count"] = (_, v, _) => PyOps.Length(v),
        ["d"] = (_, v, a) => Default(v, a),
        ["default"] = (_, v, a) => Default(v, a),
        ["dictsort"] = (_, v, a) => DictSort(v, a),
        ["e"] = (_, v, _) => Escape(v),
        ["escape"] = (_, v, _) => Escape(v),
        ["first"] = (_, v, _) => First(v),
        ["float"] = (_, v, a) => ToFloat(v, a.Get(0, "default", 0.0)),
        ["forceescape"] = (_, v, _) => Escape(v),
        ["format"] = (_, v, a) => PercentFormat.Format(PythonFormatting.Str(v), a.Named.Count > 0 ? Globals.Dict(new Arguments([], a.Named)) : new PyList(a.Positional, isTuple: true)),
        ["groupby"] = (_, v, a) => GroupBy(v, a),
        ["indent"] = (_, v, a) => Indent(v, a),
        ["int"] = (_, v, a) => ToInt(v, a.Get(0, "default", 0L), a.Get(1, "base", 10L)),
        ["items"] = (_, v, _) => Items(v),
        ["join"] = (_, v, a) => Join(v, a),
        ["last"] = (_, v, _) => Last(v),
        ["length"] = (_, v, _) => PyOps.Length(v),
        ["list"] = (_, v, _) => new PyList(new List<object?>(PyOps.Iterate(v))),
        ["lower"] = (_, v, _) => PythonFormatting.Str(v).ToLowerInvariant(),
        ["map"] = Map,
        ["max"] = (_, v, a) => MinMax(v, a, max: true),
        ["min"] = (_, v, a) => MinMax(v, a, max: false),
        ["pprint"] = (_, v, _) => PythonFormatting.Repr(v),
        ["reject"] = (_, v, a) => Select(v, a, keep: false, byAttribute: false),
        ["rejectattr"] = (_, v, a) => Select(v, a, keep: false, byAttribute: true),
        ["replace"] = (_, v, a) => StringMethods.Call(PythonFormatting.Str(v), "replace", Arguments.Of(
            PythonFormatting.Str(a.Required(0, "old", "replace")), PythonFormatting.Str(a.Required(1, "new", "replace")), a.Get(2, "count") ?? -1L)),
        ["reverse"] = (_, v, _) => Reverse(v),
        ["round"] = (_, v, a) => Round(v, a),
        ["safe"] = (_, v, _) => v,
        ["select"] = (_, v, a) => Select(v, a, keep: true, byAttribute: false),
        ["selectattr"] = (_, v, a) => Select(v, a, keep: true, byAttribute: true),
        ["slice"] = (_, v, a) => SliceInto(v, a),
        ["sort"] = (_, v, a) => Sort(v, a),
        ["string"] = (_, v, _) => PythonFormatting.Str(v),
        ["striptags"] = (_, v, _) => StripTags(PythonFormatting.Str(v)),
        ["sum"] = (_, v, a) => Sum(v, a),
        ["title"] = (_, v, _) => Title(PythonFormatting.Str(v)),
        ["tojson"] = (i, v, a) => JsonFormatting.Dumps(v, a.Get(0, "indent"), a.Get(1, "separators"), PyOps.Truthy(a.Get(2, "sort_keys", false)), i.Options.MaxRecursionDepth),
        ["trim"] = (_, v, a) => StringMethods.Strip(PythonFormatting.Str(v), a.Get(0, "chars"), left: true, right: true),
        ["truncate"] = (_, v, a) => Truncate(PythonFormatting.Str(v), a),
        ["unique"] = (_, v, a) => Unique(v, a),
        ["upper"] = (_, v, _) => PythonFormatting.Str(v).ToUpperInvariant(),
        ["wordcount"] = (_, v, _) => (long)WordPattern().Matches(PythonFormatting.Str(v)).Count,
    };

    public static bool Exists(string name) => All.ContainsKey(name);

    public static object? Apply(Interpreter interpreter, string name, object? value, Arguments args)
    {
        if (!All.TryGetValue(name, out var filter))
            throw new TemplateRenderException(TemplateErrorKind.Undefined, $"No filter named '{name}'.");
        return filter(interpreter, value, args);
    }

    private static object? Default(object? value, Arguments args)
    {
        var fallback = args.Get(0, "default_value", "");
        bool boolean = PyOps.Truthy(args.Get(1, "boolean", false));
        return value is Undefined || (boolean && !PyOps.Truthy(value)) ? fallback : value;
    }

    private static object Abs(object? value) => value switch
    {
        long l => (object)Math.Abs(l),
        bool b => (object)(b ? 1L : 0L),
        double d => (object)Math.Abs(d),
        Undefined u => throw u.Fail(),
        _ => throw TemplateRenderException.Type($"bad operand type for abs(): '{PyTypes.TypeName(value)}'"),
    };

    private static object? Attr(object? value, string name)
    {
        if (value is Undefined u)
            throw u.Fail();
        if (Methods.TryBind(value, name, out var method))
            return method;
        return value switch
        {
            Namespace ns when ns.Attributes.TryGetValue(name, out var v) => v,
            LoopContext loop => loop.GetAttribute(name),
            _ => Undefined.Missing(value, name),
        };
    }

    private static string Escape(object? value) => PythonFormatting.Str(value)
        .Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&#34;").Replace("'", "&#39;");

    /// <summary>jinja's <c>indent(width=4, first=False, blank=False)</c>: indents every line but the first,
    /// skipping blank lines unless <c>blank</c>.</summary>
    private static string Indent(object? value, Arguments args)
    {
        if (value is Undefined u)
            throw u.Fail();
        if (value is not string s)
            throw TemplateRenderException.Type($"can only concatenate {PyTypes.TypeName(value)} (not \"str\") to {PyTypes.TypeName(value)}");
        var width = args.Get(0, "width", 4L);
        string indent = width is string w ? w : new string(' ', (int)Math.Max(0, PyOps.TryInteger(width, out long n) ? n : 4));
        bool first = PyOps.Truthy(args.Get(1, "first", false));
        bool blank = PyOps.Truthy(args.Get(2, "blank", false));
        var lines = StringMethods.SplitLines(s + "\n", keepEnds: false).Cast<string>().ToList();
        string result;
        if (blank)
        {
            result = string.Join("\n" + indent, lines);
        }
        else
        {
            var sb = new StringBuilder(lines[0]);
            if (lines.Count > 1)
                sb.Append('\n').AppendJoin('\n', lines.Skip(1).Select(line => line.Length > 0 ? indent + line : line));
            result = sb.ToString();
        }
        return first ? indent + result : result;
    }

    /// <summary>jinja's <c>title</c>: split before runs of <c>-</c>, white space and opening brackets,
    /// then upper-case each piece's first character and lower-case the rest.</summary>
    private static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var piece in WordBeginningSplit().Split(s))
        {
            if (piece.Length > 0)
                sb.Append(char.ToUpperInvariant(piece[0])).Append(piece[1..].ToLowerInvariant());
        }
        return sb.ToString();
    }

    private static string Truncate(string s, Arguments args)
    {
        long length = PyOps.TryInteger(args.Get(0, "length", 255L), out long l) ? l : 255;
        bool killWords = PyOps.Truthy(args.Get(1, "killwords", false));
        string end = args.Get(2, "end", "...") as string ?? "...";
        long leeway = PyOps.TryInteger(args.Get(3, "leeway", 5L), out long w) ? w : 5;
        if (s.Length <= length + leeway)
            return s;
        string head = s[..(int)Math.Max(0, length - end.Length)];
        if (killWords)
            return head + end;
        int space = head.LastIndexOf(' ');
        return (space < 0 ? head : head[..space]) + end;
    }

    private static string StripTags(string s)
    {
        string text = TagPattern().Replace(CommentPattern().Replace(s, ""), "");
        text = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return System.Net.WebUtility.HtmlDecode(text);
    }

    private static object ToInt(object? value, object? fallback, object? radix)
    {
        switch (value)
        {
            case long or bool:
                PyOps.TryInteger(value, out long n);
                return n;
            case double d when !double.IsNaN(d) && !double.IsInfinity(d):
                return (long)Math.Truncate(d);
            case string s:
                int b = PyOps.TryInteger(radix, out long r) ? (int)r : 10;
                string t = s.Trim().Replace("_", "");
                if (b == 10 && long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long parsed))
                    return parsed;
                if (b != 10 && TryParseRadix(t, b, out long other))
                    return other;
                if (TryParseFloat(s, out double f) && !double.IsNaN(f) && !double.IsInfinity(f))
                    return (long)Math.Truncate(f);
                return fallback!;
            default:
                return fallback!;
        }
    }

    private static bool TryParseRadix(string s, int radix, out long value)
    {
        value = 0;
        try
        {
            value = Convert.ToInt64(s, radix);
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return false;
        }
    }

    private static object? ToFloat(object? value, object? fallback) => value switch
    {
        long or bool or double when PyOps.TryNumber(value, out double d) => d,
        string s when TryParseFloat(s, out double d) => d,
        _ => fallback,
    };

    /// <summary>Python's <c>float(str)</c>: surrounding white space, <c>_</c> separators, inf/nan words.</summary>
    private static bool TryParseFloat(string s, out double value)
    {
        string t = s.Trim().Replace("_", "").ToLowerInvariant();
        switch (t.TrimStart('+', '-'))
        {
            case "inf" or "infinity":
                value = t.StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;
                return true;
            case "nan":
                value = double.NaN;
                return true;
        }
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private static object Round(object? value, Arguments args)
    {
        long precision = PyOps.TryInteger(args.Get(0, "precision", 0L), out long p) ? p : 0;
        string method = args.Get(1, "method", "common") as string ?? "common";
        if (!PyOps.TryNumber(value, out double d))
            throw TemplateRenderException.Type($"type {PyTypes.TypeName(value)} doesn't define __round__ method");
        double scale = Math.Pow(10, precision);
        return method switch
        {
            "ceil" => Math.Ceiling(d * scale) / scale,
            "floor" => Math.Floor(d * scale) / scale,
            "common" when value is long or bool => (object)(long)d,
            "common" => Math.Round(d, (int)Math.Clamp(precision, 0, 15), MidpointRounding.ToEven),
            _ => throw TemplateRenderException.Type("method must be common, ceil or floor"),
        };
    }

    [GeneratedRegex(@"([-\s({\[<]+)")]
    private static partial Regex WordBeginningSplit();

    [GeneratedRegex(@"\w+")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"<!--.*?-->", RegexOptions.Singleline)]
    private static partial Regex CommentPattern();

    [GeneratedRegex(@"<.*?>", RegexOptions.Singleline)]
    private static partial Regex TagPattern();
}
