using System.Globalization;
using System.Text;

namespace Wallfacer.Inference.Templates;

/// <summary>
/// Python's <c>datetime.strftime</c> in the C locale (glibc), for <c>strftime_now</c>: the ISO C codes,
/// the common glibc ones (<c>%e %k %l %P %s %F %T %D %R</c>) and glibc's <c>%-d</c> (no padding).
/// </summary>
internal static class Strftime
{
    private static readonly string[] Days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] Months =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    public static string Format(DateTime now, string format)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                sb.Append(format[i]);
                continue;
            }
            char code = format[++i];
            bool unpadded = false;
            if (code is '-' && i + 1 < format.Length)
            {
                unpadded = true;
                code = format[++i];
            }
            string text = Code(now, code) ?? "%" + code;
            sb.Append(unpadded ? StripPadding(text) : text);
        }
        return sb.ToString();
    }

    private static string StripPadding(string text)
    {
        string trimmed = text.TrimStart('0', ' ');
        return trimmed.Length == 0 ? "0" : trimmed;
    }

    private static string? Code(DateTime t, char code) => code switch
    {
        'a' => Days[(int)t.DayOfWeek][..3],
        'A' => Days[(int)t.DayOfWeek],
        'b' or 'h' => Months[t.Month - 1][..3],
        'B' => Months[t.Month - 1],
        'c' => $"{Days[(int)t.DayOfWeek][..3]} {Months[t.Month - 1][..3]} {t.Day,2} {t:HH:mm:ss} {t.Year}",
        'C' => Two(t.Year / 100),
        'd' => Two(t.Day),
        'D' => $"{Two(t.Month)}/{Two(t.Day)}/{Two(t.Year % 100)}",
        'e' => t.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2),
        'F' => $"{t.Year:D4}-{Two(t.Month)}-{Two(t.Day)}",
        'H' => Two(t.Hour),
        'I' => Two(Hour12(t)),
        'j' => t.DayOfYear.ToString("D3", CultureInfo.InvariantCulture),
        'k' => t.Hour.ToString(CultureInfo.InvariantCulture).PadLeft(2),
        'l' => Hour12(t).ToString(CultureInfo.InvariantCulture).PadLeft(2),
        'm' => Two(t.Month),
        'M' => Two(t.Minute),
        'n' => "\n",
        'p' => t.Hour < 12 ? "AM" : "PM",
        'P' => t.Hour < 12 ? "am" : "pm",
        'r' => $"{Two(Hour12(t))}:{Two(t.Minute)}:{Two(t.Second)} {(t.Hour < 12 ? "AM" : "PM")}",
        'R' => $"{Two(t.Hour)}:{Two(t.Minute)}",
        's' => ((long)(t - DateTime.UnixEpoch).TotalSeconds).ToString(CultureInfo.InvariantCulture),
        'S' => Two(t.Second),
        't' => "\t",
        'T' or 'X' => $"{Two(t.Hour)}:{Two(t.Minute)}:{Two(t.Second)}",
        'u' => (t.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)t.DayOfWeek).ToString(CultureInfo.InvariantCulture),
        'w' => ((int)t.DayOfWeek).ToString(CultureInfo.InvariantCulture),
        'U' => Two((t.DayOfYear + 6 - (int)t.DayOfWeek) / 7),
        'W' => Two((t.DayOfYear + 6 - ((int)t.DayOfWeek + 6) % 7) / 7),
        'V' => Two(ISOWeek.GetWeekOfYear(t)),
        'G' => ISOWeek.GetYear(t).ToString(CultureInfo.InvariantCulture),
        'g' => Two(ISOWeek.GetYear(t) % 100),
        'x' => $"{Two(t.Month)}/{Two(t.Day)}/{Two(t.Year % 100)}",
        'y' => Two(t.Year % 100),
        'Y' => t.Year.ToString(CultureInfo.InvariantCulture),
        'f' => (t.Ticks % TimeSpan.TicksPerSecond / 10).ToString("D6", CultureInfo.InvariantCulture),
        'z' or 'Z' => "",
        '%' => "%",
        _ => null,
    };

    private static int Hour12(DateTime t) => t.Hour % 12 == 0 ? 12 : t.Hour % 12;

    private static string Two(int value) => value.ToString("D2", CultureInfo.InvariantCulture);
}
