using System.Text;

namespace Wallfacer.Inference.Templates;

/// <summary>Python <c>str</c> methods with CPython's semantics (whitespace splitting, strip sets,
/// tuple prefixes, <c>replace('')</c>, <c>title</c> word rules).</summary>
internal static partial class StringMethods
{
    private static readonly HashSet<string> Names =
    [
        "capitalize", "casefold", "center", "count", "endswith", "find", "format", "index", "isalnum", "isalpha",
        "isdecimal", "isdigit", "islower", "isnumeric", "isspace", "istitle", "isupper", "join", "ljust", "lower",
        "lstrip", "partition", "removeprefix", "removesuffix", "replace", "rfind", "rindex", "rjust", "rpartition",
        "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase", "title", "upper", "zfill",
    ];

    public static bool Has(string name) => Names.Contains(name);

    public static object? Call(object receiver, string name, Arguments args)
    {
        string s = (string)receiver;
        return name switch
        {
            "strip" => Strip(s, args.Get(0, "chars"), left: true, right: true),
            "lstrip" => Strip(s, args.Get(0, "chars"), left: true, right: false),
            "rstrip" => Strip(s, args.Get(0, "chars"), left: false, right: true),
            "split" => new PyList(Split(s, args.Get(0, "sep") as string, MaxSplit(args))),
            "rsplit" => new PyList(RSplit(s, args.Get(0, "sep") as string, MaxSplit(args))),
            "splitlines" => new PyList(SplitLines(s, PyOps.Truthy(args.Get(0, "keepends", false)))),
            "startswith" => Affix(s, args, (text, affix) => text.StartsWith(affix, StringComparison.Ordinal)),
            "endswith" => Affix(s, args, (text, affix) => text.EndsWith(affix, StringComparison.Ordinal)),
            "replace" => Replace(s, Str(args.Required(0, "old", name), name), Str(args.Required(1, "new", name), name), Int(args.Get(2, "count", -1L), name)),
            "find" => (long)Find(s, args, fromRight: false),
            "rfind" => (long)Find(s, args, fromRight: true),
            "index" or "rindex" => Find(s, args, name == "rindex") is var i and >= 0 ? (long)i : throw TemplateRenderException.Type("substring not found"),
            "count" => (long)Count(s, Str(args.Required(0, "sub", name), name)),
            "join" => Join(s, args.Required(0, "iterable", name)),
            "upper" => s.ToUpperInvariant(),
            "lower" or "casefold" => s.ToLowerInvariant(),
            "swapcase" => string.Concat(s.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c))),
            "title" => Title(s),
            "capitalize" => Capitalize(s),
            "center" or "ljust" or "rjust" => Justify(s, name, Int(args.Required(0, "width", name), name), args.Get(1, "fillchar", " ") as string ?? " "),
            "zfill" => ZeroFill(s, Int(args.Required(0, "width", name), name)),
            "partition" => Partition(s, Str(args.Required(0, "sep", name), name), fromRight: false),
            "rpartition" => Partition(s, Str(args.Required(0, "sep", name), name), fromRight: true),
            "removeprefix" => Str(args.Required(0, "prefix", name), name) is var p && s.StartsWith(p, StringComparison.Ordinal) ? s[p.Length..] : s,
            "removesuffix" => Str(args.Required(0, "suffix", name), name) is var x && x.Length > 0 && s.EndsWith(x, StringComparison.Ordinal) ? s[..^x.Length] : s,
            "format" => StringFormat.Format(s, args),
            _ => Predicate(s, name),
        };
    }

    private static string Str(object? value, string method) =>
        value as string ?? throw TemplateRenderException.Type($"{method}() argument must be str, not {PyTypes.TypeName(value)}");

    private static long Int(object? value, string method) =>
        PyOps.TryInteger(value, out long n) ? n : throw TemplateRenderException.Type($"{method}(): '{PyTypes.TypeName(value)}' object cannot be interpreted as an integer");

    private static long MaxSplit(Arguments args) => args.Get(1, "maxsplit", -1L) is var m && PyOps.TryInteger(m, out long n) ? n : -1;

    public static string Strip(string s, object? chars, bool left, bool right)
    {
        Func<char, bool> strip = chars switch
        {
            null => PyChars.IsSpace,
            string set => set.Contains,
            _ => throw TemplateRenderException.Type($"strip arg must be None or str, not {PyTypes.TypeName(chars)}"),
        };
        int start = 0, end = s.Length;
        while (left && start < end && strip(s[start]))
            start++;
        while (right && end > start && strip(s[end - 1]))
            end--;
        return s[start..end];
    }

    private static bool Affix(string s, Arguments args, Func<string, string, bool> test)
    {
        var affix = args.Required(0, "prefix", "startswith");
        int start = SliceStart(s, args.Get(1, "start"));
        int end = SliceEnd(s, args.Get(2, "end"));
        string text = start <= end ? s[start..end] : "";
        if (start > s.Length)
            return false;
        return affix switch
        {
            string one => test(text, one),
            PyList { IsTuple: true } options => options.Items.Any(o => o is string t ? test(text, t) : throw TemplateRenderException.Type("tuple for startswith must only contain str")),
            _ => throw TemplateRenderException.Type($"startswith first arg must be str or a tuple of str, not {PyTypes.TypeName(affix)}"),
        };
    }

    private static int SliceStart(string s, object? start) => start is null ? 0 : Adjust(s, start);

    private static int SliceEnd(string s, object? end) => end is null ? s.Length : Adjust(s, end);

    private static int Adjust(string s, object? index)
    {
        long i = PyOps.TryInteger(index, out long n) ? n : throw TemplateRenderException.Type("slice indices must be integers or None");
        if (i < 0)
            i += s.Length;
        return (int)Math.Clamp(i, 0, s.Length + 1L);
    }

    private static string Replace(string s, string old, string replacement, long count)
    {
        if (count < 0)
            count = long.MaxValue;
        var sb = new StringBuilder();
        if (old.Length == 0)
        {
            // Python inserts the replacement before every character and at the end.
            int done = 0;
            for (int i = 0; i < s.Length; i++)
            {
                if (done++ < count)
                    sb.Append(replacement);
                sb.Append(s[i]);
            }
            if (done < count)
                sb.Append(replacement);
            return sb.ToString();
        }
        int pos = 0;
        for (long n = 0; n < count; n++)
        {
            int at = s.IndexOf(old, pos, StringComparison.Ordinal);
            if (at < 0)
                break;
            sb.Append(s, pos, at - pos).Append(replacement);
            pos = at + old.Length;
        }
        return sb.Append(s, pos, s.Length - pos).ToString();
    }

    private static int Find(string s, Arguments args, bool fromRight)
    {
        string sub = Str(args.Required(0, "sub", "find"), "find");
        int start = SliceStart(s, args.Get(1, "start"));
        int end = Math.Min(SliceEnd(s, args.Get(2, "end")), s.Length);
        if (start > end)
            return -1;
        int at = fromRight
            ? s.AsSpan(start, end - start).LastIndexOf(sub, StringComparison.Ordinal)
            : s.AsSpan(start, end - start).IndexOf(sub, StringComparison.Ordinal);
        return at < 0 ? -1 : at + start;
    }

    private static int Count(string s, string sub)
    {
        if (sub.Length == 0)
            return PyChars.CodePointCount(s) + 1;
        int count = 0;
        for (int at = s.IndexOf(sub, StringComparison.Ordinal); at >= 0; at = s.IndexOf(sub, at + sub.Length, StringComparison.Ordinal))
            count++;
        return count;
    }

    public static string Join(string separator, object? iterable)
    {
        var items = PyOps.Iterate(iterable);
        var sb = new StringBuilder();
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i] is not string item)
                throw TemplateRenderException.Type($"sequence item {i}: expected str instance, {PyTypes.TypeName(items[i])} found");
            if (i > 0)
                sb.Append(separator);
            sb.Append(item);
        }
        return sb.ToString();
    }

    private static PyList Partition(string s, string sep, bool fromRight)
    {
        if (sep.Length == 0)
            throw TemplateRenderException.Type("empty separator");
        int at = fromRight ? s.LastIndexOf(sep, StringComparison.Ordinal) : s.IndexOf(sep, StringComparison.Ordinal);
        if (at < 0)
            return fromRight ? PyList.Tuple("", "", s) : PyList.Tuple(s, "", "");
        return PyList.Tuple(s[..at], sep, s[(at + sep.Length)..]);
    }

    private static string Justify(string s, string how, long width, string fill)
    {
        if (fill.Length != 1)
            throw TemplateRenderException.Type("The fill character must be exactly one character long");
        int length = PyChars.CodePointCount(s);
        if (width <= length)
            return s;
        int margin = (int)width - length;
        int left = how switch
        {
            "ljust" => 0,
            "rjust" => margin,
            _ => margin / 2 + (margin & (int)width & 1), // CPython's centering rule
        };
        return new string(fill[0], left) + s + new string(fill[0], margin - left);
    }

    private static string ZeroFill(string s, long width)
    {
        if (width <= s.Length)
            return s;
        int pad = (int)width - s.Length;
        bool sign = s.Length > 0 && s[0] is '+' or '-';
        return sign ? s[0] + new string('0', pad) + s[1..] : new string('0', pad) + s;
    }

    private static bool Predicate(string s, string name)
    {
        if (s.Length == 0)
            return false;
        return name switch
        {
            "isalnum" => s.All(char.IsLetterOrDigit),
            "isalpha" => s.All(char.IsLetter),
            "isdecimal" or "isdigit" => s.All(char.IsDigit),
            "isnumeric" => s.All(char.IsNumber),
            "isspace" => s.All(PyChars.IsSpace),
            "islower" => s.Any(char.IsLower) && !s.Any(c => char.IsUpper(c) || IsTitleCase(c)),
            "isupper" => s.Any(char.IsUpper) && !s.Any(c => char.IsLower(c) || IsTitleCase(c)),
            "istitle" => s.Any(char.IsLetter) && Title(s) == s,
            _ => throw TemplateRenderException.Type($"'str' object has no attribute '{name}'"),
        };
    }

    private static bool IsTitleCase(char c) => char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.TitlecaseLetter;

    private static bool IsCased(char c) => char.IsUpper(c) || char.IsLower(c) || IsTitleCase(c);

    /// <summary>Python's <c>str.title()</c>: a cased character after an uncased one starts a word.</summary>
    public static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        bool previousCased = false;
        foreach (char c in s)
        {
            sb.Append(previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            previousCased = IsCased(c);
        }
        return sb.ToString();
    }

    /// <summary>Python's <c>str.capitalize()</c>: first character upper-cased, the rest lower-cased.</summary>
    public static string Capitalize(string s) =>
        s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();
}
