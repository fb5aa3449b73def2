namespace Wallfacer.Inference.Templates;

/// <summary>Python's truthiness, equality, ordering, membership and iteration over our value model.</summary>
internal static partial class PyOps
{
    public static bool Truthy(object? value) => value switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        PyList l => l.Count > 0,
        PyDict d => d.Count > 0,
        Undefined => false,
        _ => true,
    };

    /// <summary>Numbers (bool counts as int) as double for mixed comparisons; false when not numeric.</summary>
    public static bool TryNumber(object? value, out double number)
    {
        switch (value)
        {
            case long l: number = l; return true;
            case double d: number = d; return true;
            case bool b: number = b ? 1 : 0; return true;
            default: number = 0; return false;
        }
    }

    public static bool TryInteger(object? value, out long integer)
    {
        switch (value)
        {
            case long l: integer = l; return true;
            case bool b: integer = b ? 1 : 0; return true;
            default: integer = 0; return false;
        }
    }

    public static bool Equal(object? a, object? b)
    {
        if (ReferenceEquals(a, b))
            return true;
        switch (a)
        {
            case null: return b is null;
            case string s: return b is string t && string.Equals(s, t, StringComparison.Ordinal);
            case long or bool or double:
                if (TryInteger(a, out long x) && TryInteger(b, out long y))
                    return x == y;
                return TryNumber(a, out double p) && TryNumber(b, out double q) && p == q;
            case PyList l:
                return b is PyList m && l.IsTuple == m.IsTuple && l.Count == m.Count && l.Items.Zip(m.Items).All(z => Equal(z.First, z.Second));
            case PyDict d:
                return b is PyDict e && d.Count == e.Count && d.Pairs.All(p => e.TryGetValue(p.Key, out var v) && Equal(p.Value, v));
            case Undefined: return b is Undefined;
            default: return false;
        }
    }

    /// <summary>Python ordering for <c>&lt; &lt;= &gt; &gt;=</c>: numbers, strings, lists/tuples; otherwise TypeError.</summary>
    public static int Compare(object? a, object? b, string op)
    {
        if (a is Undefined ua)
            throw ua.Fail();
        if (b is Undefined ub)
            throw ub.Fail();
        if (TryInteger(a, out long x) && TryInteger(b, out long y))
            return x.CompareTo(y);
        if (TryNumber(a, out double p) && TryNumber(b, out double q))
            return p < q ? -1 : p > q ? 1 : p == q ? 0 : throw new NaNComparison();
        if (a is string s && b is string t)
            return CompareStrings(s, t);
        if (a is PyList l && b is PyList m && l.IsTuple == m.IsTuple)
            return CompareSequences(l, m, op);
        throw TemplateRenderException.Type($"'{op}' not supported between instances of '{PyTypes.TypeName(a)}' and '{PyTypes.TypeName(b)}'");
    }

    /// <summary>Any ordering with NaN is false; the caller maps this to false.</summary>
    internal sealed class NaNComparison : Exception;

    public static bool CompareOp(object? a, object? b, string op)
    {
        try
        {
            int c = Compare(a, b, op);
            return op switch { "<" => c < 0, "<=" => c <= 0, ">" => c > 0, _ => c >= 0 };
        }
        catch (NaNComparison)
        {
            return false;
        }
    }

    /// <summary>Python compares strings by code point; UTF-16 order differs only for surrogates vs U+E000..U+FFFF.</summary>
    public static int CompareStrings(string s, string t)
    {
        int n = Math.Min(s.Length, t.Length);
        for (int i = 0; i < n; i++)
        {
            if (s[i] == t[i])
                continue;
            int a = PyChars.CodePointAt(s, i);
            int b = PyChars.CodePointAt(t, i);
            return a.CompareTo(b);
        }
        return s.Length.CompareTo(t.Length);
    }

    private static int CompareSequences(PyList l, PyList m, string op)
    {
        int n = Math.Min(l.Count, m.Count);
        for (int i = 0; i < n; i++)
        {
            if (!Equal(l[i], m[i]))
                return Compare(l[i], m[i], op);
        }
        return l.Count.CompareTo(m.Count);
    }

    /// <summary><c>item in container</c>.</summary>
    public static bool Contains(object? container, object? item) => container switch
    {
        string s when item is string t => s.Contains(t, StringComparison.Ordinal),
        string => throw TemplateRenderException.Type($"'in <string>' requires string as left operand, not {PyTypes.TypeName(item)}"),
        PyList l => l.Items.Any(x => Equal(x, item)),
        PyDict d => d.ContainsKey(item),
        Undefined => false,
        Namespace => throw TemplateRenderException.Type("argument of type 'Namespace' is not iterable"),
        _ => throw TemplateRenderException.Type($"argument of type '{PyTypes.TypeName(container)}' is not iterable"),
    };

    /// <summary>The items a <c>for</c> loop or <c>list()</c> sees: list items, dict keys, string characters.</summary>
    public static List<object?> Iterate(object? value) => value switch
    {
        PyList l => l.Items,
        PyDict d => d.Keys.ToList(),
        string s => Characters(s),
        Undefined => [],
        _ => throw TemplateRenderException.Type($"'{PyTypes.TypeName(value)}' object is not iterable"),
    };

    /// <summary>A string's characters as Python sees them: code points, so a surrogate pair is one.</summary>
    public static List<object?> Characters(string s)
    {
        var result = new List<object?>(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                result.Add(s.Substring(i, 2));
                i++;
            }
            else
            {
                result.Add(s[i].ToString());
            }
        }
        return result;
    }

    public static long Length(object? value) => value switch
    {
        string s => PyChars.CodePointCount(s),
        PyList l => l.Count,
        PyDict d => d.Count,
        Undefined => 0,
        _ => throw TemplateRenderException.Type($"object of type '{PyTypes.TypeName(value)}' has no len()"),
    };
}
