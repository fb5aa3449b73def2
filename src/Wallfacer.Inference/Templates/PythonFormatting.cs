using System.Globalization;
using System.Text;

namespace Wallfacer.Inference.Templates;

/// <summary>Python's <c>str()</c> and <c>repr()</c> of our values, which leak into rendered prompts
/// (<c>{{ {'a': 1} }}</c>, <c>True</c>, <c>None</c>, <c>12.5</c>, <c>1e-05</c>).</summary>
internal static class PythonFormatting
{
    public static string Str(object? value) => value switch
    {
        string s => s,
        Undefined => "",
        _ => Repr(value),
    };

    public static string Repr(object? value)
    {
        var sb = new StringBuilder();
        AppendRepr(sb, value);
        return sb.ToString();
    }

    private static void AppendRepr(StringBuilder sb, object? value)
    {
        switch (value)
        {
            case null: sb.Append("None"); break;
            case bool b: sb.Append(b ? "True" : "False"); break;
            case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d: sb.Append(FloatRepr(d)); break;
            case string s: AppendStringRepr(sb, s); break;
            case PyList list: AppendSequence(sb, list); break;
            case PyDict dict: AppendDict(sb, dict); break;
            case Undefined: sb.Append("Undefined"); break;
            case Namespace ns: AppendNamespace(sb, ns); break;
            case Macro m: sb.Append("<Macro '").Append(m.Name).Append("'>"); break;
            case LoopContext loop: sb.Append("<LoopContext ").Append(loop.Index).Append('/').Append(loop.Length).Append('>'); break;
            case BoundMethod method: sb.Append("<built-in method ").Append(method.Name).Append(" of ").Append(PyTypes.TypeName(method.Receiver)).Append(" object>"); break;
            case ICallable f: sb.Append("<function ").Append(f.Name).Append('>'); break;
            default: sb.Append(value); break;
        }
    }

    private static void AppendSequence(StringBuilder sb, PyList list)
    {
        sb.Append(list.IsTuple ? '(' : '[');
        for (int i = 0; i < list.Count; i++)
        {
            if (i > 0)
                sb.Append(", ");
            AppendRepr(sb, list[i]);
        }
        if (list.IsTuple && list.Count == 1)
            sb.Append(',');
        sb.Append(list.IsTuple ? ')' : ']');
    }

    private static void AppendDict(StringBuilder sb, PyDict dict)
    {
        sb.Append('{');
        bool first = true;
        foreach (var pair in dict.Pairs)
        {
            if (!first)
                sb.Append(", ");
            first = false;
            AppendRepr(sb, pair.Key);
            sb.Append(": ");
            AppendRepr(sb, pair.Value);
        }
        sb.Append('}');
    }

    private static void AppendNamespace(StringBuilder sb, Namespace ns)
    {
        var dict = new PyDict();
        foreach (var pair in ns.Attributes)
            dict.Set(pair.Key, pair.Value);
        sb.Append("<Namespace ");
        AppendDict(sb, dict);
        sb.Append('>');
    }

    /// <summary>Python's <c>float.__repr__</c>: the shortest round-trip digits, exponent form when the
    /// decimal exponent is below -4 or above 16, always a <c>.0</c> on integral values.</summary>
    public static string FloatRepr(double d)
    {
        if (double.IsNaN(d))
            return "nan";
        if (double.IsInfinity(d))
            return d > 0 ? "inf" : "-inf";
        if (d == 0)
            return double.IsNegative(d) ? "-0.0" : "0.0";
        var (digits, point) = ShortestDigits(Math.Abs(d));
        string sign = d < 0 ? "-" : "";
        if (point <= -4 || point > 16)
        {
            string mantissa = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            int exponent = point - 1;
            return $"{sign}{mantissa}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
        }
        if (point <= 0)
            return sign + "0." + new string('0', -point) + digits;
        if (point >= digits.Length)
            return sign + digits + new string('0', point - digits.Length) + ".0";
        return sign + digits[..point] + "." + digits[point..];
    }

    /// <summary>Shortest round-trip significant digits of a positive double and the decimal point
    /// position: value = 0.DIGITS × 10^point.</summary>
    private static (string Digits, int Point) ShortestDigits(double d)
    {
        string shortest = d.ToString("R", CultureInfo.InvariantCulture);
        int e = shortest.IndexOfAny(['E', 'e']);
        string mantissa = e < 0 ? shortest : shortest[..e];
        int exponent = e < 0 ? 0 : int.Parse(shortest[(e + 1)..], CultureInfo.InvariantCulture);
        int dot = mantissa.IndexOf('.');
        string intPart = dot < 0 ? mantissa : mantissa[..dot];
        string fracPart = dot < 0 ? "" : mantissa[(dot + 1)..];
        string all = intPart + fracPart;
        int point = intPart.Length + exponent;
        int lead = 0;
        while (lead < all.Length - 1 && all[lead] == '0')
            lead++;
        all = all[lead..];
        point -= lead;
        all = all.TrimEnd('0');
        return (all.Length == 0 ? "0" : all, point);
    }

    /// <summary>Python's <c>repr(str)</c>: single quotes unless the text has a single quote and no double quote.</summary>
    public static void AppendStringRepr(StringBuilder sb, string s)
    {
        char quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        sb.Append(quote);
        for (int i = 0; i < s.Length; i++)
        {
            int c = PyChars.CodePointAt(s, i);
            if (c > 0xFFFF)
                i++;
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\t': sb.Append("\\t"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                default:
                    if (c == quote)
                        sb.Append('\\').Append(quote);
                    else if (c < 0x20 || c == 0x7F)
                        sb.Append($"\\x{c:x2}");
                    else if (c < 0x7F || IsPrintable(c))
                        sb.Append(s, i - (c > 0xFFFF ? 1 : 0), c > 0xFFFF ? 2 : 1);
                    else
                        sb.Append(c <= 0xFF ? $"\\x{c:x2}" : c <= 0xFFFF ? $"\\u{c:x4}" : $"\\U{c:x8}");
                    break;
            }
        }
        sb.Append(quote);
    }

    /// <summary>Python's <c>str.isprintable</c> for one code point: not a control, format, surrogate,
    /// private-use, unassigned or separator character (space excepted).</summary>
    private static bool IsPrintable(int c)
    {
        if (c is >= 0xD800 and <= 0xDFFF)
            return false;
        return CharUnicodeInfo.GetUnicodeCategory(c) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.SpaceSeparator => c == ' ',
            _ => true,
        };
    }
}
