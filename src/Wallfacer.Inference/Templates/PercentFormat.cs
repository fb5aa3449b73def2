using System.Globalization;
using System.Text;

namespace Wallfacer.Inference.Templates;

/// <summary>Python's printf-style <c>"fmt" % args</c> (also the <c>format</c> filter): conversions
/// <c>s r d i f F e E g G x X o c %</c> with flags <c>-+ 0</c>, width, precision and <c>%(key)s</c>.</summary>
internal static class PercentFormat
{
    public static string Format(string format, object? args)
    {
        var positional = args is PyList { IsTuple: true } tuple ? tuple.Items : [args];
        var mapping = args as PyDict;
        var sb = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.Length; i++)
        {
            char c = format[i];
            if (c != '%')
            {
                sb.Append(c);
                continue;
            }
            i++;
            if (i >= format.Length)
                throw TemplateRenderException.Type("incomplete format");
            object? value = null;
            bool haveValue = false;
            if (format[i] == '(')
            {
                int close = format.IndexOf(')', i);
                if (close < 0 || mapping == null)
                    throw TemplateRenderException.Type("format requires a mapping");
                string key = format[(i + 1)..close];
                value = mapping.TryGetValue(key, out var v) ? v : throw TemplateRenderException.Type($"KeyError: '{key}'");
                haveValue = true;
                i = close + 1;
            }
            var spec = ParseSpec(format, ref i);
            if (spec.Conversion == '%')
            {
                sb.Append('%');
                continue;
            }
            if (!haveValue)
            {
                if (next >= positional.Count)
                    throw TemplateRenderException.Type("not enough arguments for format string");
                value = positional[next++];
            }
            sb.Append(Pad(Convert(spec, value), spec));
        }
        if (mapping == null && next < positional.Count && args is PyList { IsTuple: true })
            throw TemplateRenderException.Type("not all arguments converted during string formatting");
        return sb.ToString();
    }

    private readonly record struct Spec(string Flags, int Width, int Precision, char Conversion);

    private static Spec ParseSpec(string format, ref int i)
    {
        int start = i;
        while (i < format.Length && format[i] is '-' or '+' or ' ' or '0' or '#')
            i++;
        string flags = format[start..i];
        int width = ReadNumber(format, ref i);
        int precision = -1;
        if (i < format.Length && format[i] == '.')
        {
            i++;
            precision = Math.Max(0, ReadNumber(format, ref i));
        }
        if (i >= format.Length)
            throw TemplateRenderException.Type("incomplete format");
        return new Spec(flags, width, precision, format[i]);
    }

    private static int ReadNumber(string format, ref int i)
    {
        int start = i;
        while (i < format.Length && char.IsAsciiDigit(format[i]))
            i++;
        return i == start ? -1 : int.Parse(format.AsSpan(start, i - start), CultureInfo.InvariantCulture);
    }

    private static string Convert(Spec spec, object? value)
    {
        switch (spec.Conversion)
        {
            case 's': return Truncate(PythonFormatting.Str(value), spec.Precision);
            case 'r' or 'a': return Truncate(PythonFormatting.Repr(value), spec.Precision);
            case 'c': return value is string s ? s : char.ConvertFromUtf32((int)RequireInteger(value, spec));
            case 'd' or 'i' or 'u': return Signed(spec, RequireInteger(value, spec).ToString(CultureInfo.InvariantCulture));
            case 'x': return Signed(spec, RequireInteger(value, spec).ToString("x", CultureInfo.InvariantCulture));
            case 'X': return Signed(spec, RequireInteger(value, spec).ToString("X", CultureInfo.InvariantCulture));
            case 'o': return Signed(spec, System.Convert.ToString(RequireInteger(value, spec), 8));
            case 'f' or 'F' or 'e' or 'E' or 'g' or 'G':
                if (!PyOps.TryNumber(value, out double d))
                    throw TemplateRenderException.Type($"must be real number, not {PyTypes.TypeName(value)}");
                return Signed(spec, FormatFloat(d, spec));
            default:
                throw TemplateRenderException.Type($"unsupported format character '{spec.Conversion}'");
        }
    }

    private static long RequireInteger(object? value, Spec spec) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        double d => (long)Math.Truncate(d),
        _ => throw TemplateRenderException.Type($"%{spec.Conversion} format: a real number is required, not {PyTypes.TypeName(value)}"),
    };

    private static string FormatFloat(double d, Spec spec)
    {
        int precision = spec.Precision < 0 ? 6 : spec.Precision;
        string text = char.ToLowerInvariant(spec.Conversion) switch
        {
            'f' => d.ToString("F" + precision, CultureInfo.InvariantCulture),
            'e' => d.ToString((spec.Conversion == 'e' ? "e" : "E") + precision, CultureInfo.InvariantCulture).Replace("e+0", "e+").Replace("e-0", "e-").Replace("E+0", "E+").Replace("E-0", "E-"),
            _ => d.ToString("G" + Math.Max(1, precision), CultureInfo.InvariantCulture),
        };
        return text;
    }

    private static string Signed(Spec spec, string digits)
    {
        if (!digits.StartsWith('-'))
        {
            if (spec.Flags.Contains('+'))
                return "+" + digits;
            if (spec.Flags.Contains(' '))
                return " " + digits;
        }
        return digits;
    }

    private static string Truncate(string s, int precision) => precision >= 0 && precision < s.Length ? s[..precision] : s;

    private static string Pad(string text, Spec spec)
    {
        if (spec.Width <= text.Length)
            return text;
        if (spec.Flags.Contains('-'))
            return text.PadRight(spec.Width);
        if (spec.Flags.Contains('0') && spec.Conversion is not ('s' or 'r' or 'c'))
        {
            bool sign = text.Length > 0 && text[0] is '-' or '+' or ' ';
            return sign ? text[0] + text[1..].PadLeft(spec.Width - 1, '0') : text.PadLeft(spec.Width, '0');
        }
        return text.PadLeft(spec.Width);
    }
}
