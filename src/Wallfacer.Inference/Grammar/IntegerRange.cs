using System.Globalization;
using System.Text;

namespace Wallfacer.Inference.Grammar;

/// <summary>
/// GBNF for the decimal integers within optional bounds (JSON Schema <c>minimum</c>/<c>maximum</c> on integers), written
/// digit by digit like the classic range-to-regex construction: [a, b] is split by digit count, then each
/// same-length range by its common prefix. Integers have at most 16 digits (llama.cpp's <c>integral-part</c>).
/// </summary>
internal static class IntegerRange
{
    /// <summary>Largest magnitude a bound may have.</summary>
    public const long Limit = 999_999_999_999_999; // 15 digits, so "at least" always has longer numbers to offer
    private const int MaxDigits = 16;
    private const string AnyPositive = "[1-9] [0-9]{0,15}";

    /// <summary>The integers in [min, max] (either open), without "-0" or leading zeros.</summary>
    public static string Expression(long? min, long? max)
    {
        if (min is null && max is null) return "\"-\"? ([0] | " + AnyPositive + ")";
        if (max is null)
            return min >= 0 ? AtLeast(min.Value) : Or(["\"-\" (" + Range(1, -min!.Value) + ")", AtLeast(0)]);
        if (min is null)
            return max >= 0 ? Or(["\"-\" " + AnyPositive, Range(0, max.Value)]) : "\"-\" (" + AtLeast(-max.Value) + ")";
        if (min > max) throw new ArgumentException("minimum above maximum");
        if (min >= 0) return Range(min.Value, max.Value);
        if (max < 0) return "\"-\" (" + Range(-max.Value, -min.Value) + ")";
        return Or(["\"-\" (" + Range(1, -min.Value) + ")", Range(0, max.Value)]);
    }

    private static string Or(IEnumerable<string> alternatives) => "(" + string.Join(" | ", alternatives) + ")";

    private static int DigitCount(long n) => n.ToString(CultureInfo.InvariantCulture).Length;

    private static long Pow10(int k)
    {
        long p = 1;
        for (int i = 0; i < k; i++) p *= 10;
        return p;
    }

    /// <summary>Every n ≥ a (a ≥ 0).</summary>
    private static string AtLeast(long a)
    {
        int d = DigitCount(a);
        var alternatives = new List<string> { Range(a, Pow10(d) - 1) };
        if (d < MaxDigits) alternatives.Add($"[1-9] [0-9]{{{d},{MaxDigits - 1}}}");
        return Or(alternatives);
    }

    /// <summary>Every n in [a, b] (0 ≤ a ≤ b).</summary>
    private static string Range(long a, long b)
    {
        var alternatives = new List<string>();
        for (int d = DigitCount(a); d <= DigitCount(b); d++)
        {
            long lo = Math.Max(a, d == 1 ? 0 : Pow10(d - 1));
            long hi = Math.Min(b, Pow10(d) - 1);
            if (lo <= hi) SameLength(lo.ToString(CultureInfo.InvariantCulture), hi.ToString(CultureInfo.InvariantCulture), "", alternatives);
        }
        return Or(alternatives);
    }

    /// <summary>Adds sequences for the digit strings in [lo, hi] (same length), each after <paramref name="prefix"/>.</summary>
    private static void SameLength(string lo, string hi, string prefix, List<string> output)
    {
        if (lo.Length == 0)
        {
            output.Add(prefix.Length == 0 ? "\"\"" : prefix.TrimEnd());
            return;
        }
        if (lo[0] == hi[0])
        {
            SameLength(lo[1..], hi[1..], prefix + Digit(lo[0], lo[0]) + " ", output);
            return;
        }
        string loRest = lo[1..], hiRest = hi[1..];
        bool loFull = loRest.All(c => c == '0'), hiFull = hiRest.All(c => c == '9');
        char first = loFull ? lo[0] : (char)(lo[0] + 1);
        char last = hiFull ? hi[0] : (char)(hi[0] - 1);
        if (!loFull) SameLength(loRest, new string('9', loRest.Length), prefix + Digit(lo[0], lo[0]) + " ", output);
        if (first <= last)
        {
            var sb = new StringBuilder(prefix).Append(Digit(first, last));
            if (loRest.Length > 0) sb.Append(CultureInfo.InvariantCulture, $" [0-9]{{{loRest.Length}}}");
            output.Add(sb.ToString());
        }
        if (!hiFull) SameLength(new string('0', hiRest.Length), hiRest, prefix + Digit(hi[0], hi[0]) + " ", output);
    }

    private static string Digit(char lo, char hi) => lo == hi ? $"[{lo}]" : $"[{lo}-{hi}]";
}
