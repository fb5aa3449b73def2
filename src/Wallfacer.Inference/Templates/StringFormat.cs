using System.Globalization;
using System.Text;

namespace Wallfacer.Inference.Templates;

/// <summary>
/// Python's <c>str.format</c> as jinja's sandbox allows it: <c>{}</c>, <c>{0}</c>, <c>{name}</c>, field
/// lookups <c>{0.attr}</c>/<c>{0[key]}</c> (through the sandboxed getattr), <c>!r</c>/<c>!s</c>, and the
/// common format specs (fill, align, sign, zero padding, width, precision, types <c>s d f e %</c>).
/// </summary>
internal static class StringFormat
{
    public static string Format(string format, Arguments args)
    {
        var sb = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < format.Length; i++)
        {
            char c = format[i];
            if (c == '{' && i + 1 < format.Length && format[i + 1] == '{' || c == '}' && i + 1 < format.Length && format[i + 1] == '}')
            {
                sb.Append(c);
                i++;
                continue;
            }
            if (c == '}')
                throw TemplateRenderException.Type("Single '}' encountered in format string");
            if (c != '{')
            {
                sb.Append(c);
                continue;
            }
            int close = format.IndexOf('}', i);
            if (close < 0)
                throw TemplateRenderException.Type("Single '{' encountered in format string");
            sb.Append(Field(format[(i + 1)..close], args, ref auto));
            i = close;
        }
        return sb.ToString();
    }

    private static string Field(string field, Arguments args, ref int auto)
    {
        string spec = "";
        int colon = field.IndexOf(':');
        if (colon >= 0)
        {
            spec = field[(colon + 1)..];
            field = field[..colon];
        }
        char conversion = '\0';
        int bang = field.IndexOf('!');
        if (bang >= 0)
        {
            conversion = field.Length > bang + 1 ? field[bang + 1] : 's';
            field = field[..bang];
        }
        object? value = Resolve(field, args, ref auto);
        if (conversion is 'r' or 'a')
            value = PythonFormatting.Repr(value);
        else if (conversion == 's')
            value = PythonFormatting.Str(value);
        return ApplySpec(value, spec);
    }

    private static object? Resolve(string field, Arguments args, ref int auto)
    {
        int end = field.IndexOfAny(['.', '[']);
        string head = end < 0 ? field : field[..end];
        object? value;
        if (head.Length == 0)
            value = args.Positional.Count > auto ? args.Positional[auto++] : throw TemplateRenderException.Type($"Replacement index {auto} out of range for positional args tuple");
        else if (int.TryParse(head, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            value = index < args.Positional.Count ? args.Positional[index] : throw TemplateRenderException.Type($"Replacement index {index} out of range for positional args tuple");
        else
            value = args.TryGet(-1, head, out var named) ? named : throw TemplateRenderException.Type($"KeyError: '{head}'");
        for (int i = end; i >= 0 && i < field.Length;)
        {
            if (field[i] == '.')
            {
                int next = field.IndexOfAny(['.', '['], i + 1);
                string name = next < 0 ? field[(i + 1)..] : field[(i + 1)..next];
                value = Attributes.GetAttr(value, name);
                i = next < 0 ? field.Length : next;
            }
            else
            {
                int close = field.IndexOf(']', i);
                string key = field[(i + 1)..close];
                value = Attributes.GetItem(value, long.TryParse(key, out long k) ? k : key);
                i = close + 1;
            }
        }
        return value is Undefined u ? throw u.Fail() : value;
    }

    private static string ApplySpec(object? value, string spec)
    {
        if (spec.Length == 0)
            return PythonFormatting.Str(value);
        int i = 0;
        char fill = ' ', align = '\0';
        if (spec.Length >= 2 && spec[1] is '<' or '>' or '^' or '=')
        {
            fill = spec[0];
            align = spec[1];
            i = 2;
        }
        else if (spec[0] is '<' or '>' or '^' or '=')
        {
            align = spec[0];
            i = 1;
        }
        char sign = i < spec.Length && spec[i] is '+' or '-' or ' ' ? spec[i++] : '-';
        if (i < spec.Length && spec[i] == '0')
        {
            fill = '0';
            align = align == '\0' ? '=' : align;
            i++;
        }
        int widthStart = i;
        while (i < spec.Length && char.IsAsciiDigit(spec[i]))
            i++;
        int width = i > widthStart ? int.Parse(spec.AsSpan(widthStart, i - widthStart), CultureInfo.InvariantCulture) : 0;
        int precision = -1;
        if (i < spec.Length && spec[i] == '.')
        {
            int p = ++i;
            while (i < spec.Length && char.IsAsciiDigit(spec[i]))
                i++;
            precision = int.Parse(spec.AsSpan(p, i - p), CultureInfo.InvariantCulture);
        }
        char type = i < spec.Length ? spec[i] : '\0';
        string text = Render(value, type, precision, sign);
        return Pad(text, width, fill, align == '\0' ? (value is string ? '<' : '>') : align);
    }

    private static string Render(object? value, char type, int precision, char sign)
    {
        string text;
        if (type is 'f' or 'F' or 'e' or 'E' or '%' || (type == '\0' && value is double && precision >= 0))
        {
            if (!PyOps.TryNumber(value, out double d))
                throw TemplateRenderException.Type($"Unknown format code '{type}' for object of type '{PyTypes.TypeName(value)}'");
            int p = precision < 0 ? 6 : precision;
            text = type switch
            {
                '%' => (d * 100).ToString("F" + p, CultureInfo.InvariantCulture) + "%",
                'e' or 'E' => PercentFormat.Format("%." + p + type, d),
                _ => d.ToString("F" + p, CultureInfo.InvariantCulture),
            };
        }
        else if (type == 'd')
        {
            text = value is long or bool ? PythonFormatting.Str(PyOps.TryInteger(value, out long n) ? n : 0) : throw TemplateRenderException.Type($"Unknown format code 'd' for object of type '{PyTypes.TypeName(value)}'");
        }
        else
        {
            text = PythonFormatting.Str(value);
            if (precision >= 0 && value is string && precision < text.Length)
                text = text[..precision];
        }
        if (sign is '+' or ' ' && PyOps.TryNumber(value, out double v) && v >= 0 && value is not string)
            text = sign + text;
        return text;
    }

    private static string Pad(string text, int width, char fill, char align)
    {
        int pad = width - text.Length;
        if (pad <= 0)
            return text;
        return align switch
        {
            '<' => text + new string(fill, pad),
            '^' => new string(fill, pad / 2) + text + new string(fill, pad - pad / 2),
            '=' when text.Length > 0 && text[0] is '-' or '+' or ' ' => text[0] + new string(fill, pad) + text[1..],
            _ => new string(fill, pad) + text,
        };
    }
}
