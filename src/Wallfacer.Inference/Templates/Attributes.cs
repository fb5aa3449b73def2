namespace Wallfacer.Inference.Templates;

/// <summary>
/// jinja2's sandboxed <c>getattr</c>/<c>getitem</c>. <c>a.b</c> tries a Python attribute (a method) first,
/// then the item; <c>a['b']</c> tries the item first, then the attribute. A miss is an
/// <see cref="Undefined"/> carrying jinja's hint; a mutating method is an unsafe undefined.
/// </summary>
internal static class Attributes
{
    public static object? GetAttr(object? owner, string name)
    {
        if (owner is Undefined u)
            throw u.Fail();
        if (Methods.TryBind(owner, name, out var method))
            return method;
        return owner switch
        {
            PyDict dict when dict.TryGetValue(name, out var value) => value,
            Namespace ns when ns.Attributes.TryGetValue(name, out var value) => value,
            LoopContext loop => loop.GetAttribute(name),
            _ => Undefined.Missing(owner, name),
        };
    }

    public static object? GetItem(object? owner, object? key)
    {
        switch (owner)
        {
            case Undefined u:
                throw u.Fail();
            case PyDict dict when IsHashable(key) && dict.TryGetValue(key, out var value):
                return value;
            case PyList list when PyOps.TryInteger(key, out long index):
                return TryIndex(list.Count, index, out int i) ? list[i] : Undefined.Missing(owner, key);
            case string s when PyOps.TryInteger(key, out long index):
                var chars = PyOps.Characters(s);
                return TryIndex(chars.Count, index, out int c) ? chars[c] : Undefined.Missing(owner, key);
        }
        return key is string name ? GetAttrAfterItemMiss(owner, name) : Undefined.Missing(owner, key);
    }

    private static object? GetAttrAfterItemMiss(object? owner, string name)
    {
        if (Methods.TryBind(owner, name, out var method))
            return method;
        return owner switch
        {
            Namespace ns when ns.Attributes.TryGetValue(name, out var value) => value,
            LoopContext loop => loop.GetAttribute(name),
            _ => Undefined.Missing(owner, name),
        };
    }

    private static bool IsHashable(object? key) => key is not (PyList { IsTuple: false } or PyDict);

    private static bool TryIndex(int count, long index, out int resolved)
    {
        if (index < 0)
            index += count;
        resolved = (int)Math.Clamp(index, -1, int.MaxValue);
        return index >= 0 && index < count;
    }

    /// <summary>Python's <c>seq[start:stop:step]</c> on lists, tuples and strings.</summary>
    public static object? Slice(object? owner, object? start, object? stop, object? step)
    {
        if (owner is Undefined u)
            throw u.Fail();
        long stride = step == null ? 1 : PyOps.TryInteger(step, out long s) ? s : throw SliceIndexError();
        if (stride == 0)
            throw TemplateRenderException.Type("slice step cannot be zero");
        var items = owner switch
        {
            PyList list => list.Items,
            string text => PyOps.Characters(text),
            _ => null,
        };
        if (items == null)
            return Undefined.Missing(owner, "slice");
        var picked = new List<object?>();
        var (from, to) = Bounds(items.Count, start, stop, stride);
        for (long i = from; stride > 0 ? i < to : i > to; i += stride)
            picked.Add(items[(int)i]);
        return owner switch
        {
            string => string.Concat(picked.Cast<string>()),
            PyList list => new PyList(picked, list.IsTuple),
            _ => null,
        };
    }

    private static (long From, long To) Bounds(int count, object? start, object? stop, long stride)
    {
        long lower = stride > 0 ? 0 : -1;
        long upper = stride > 0 ? count : count - 1;
        long from = start == null ? (stride > 0 ? lower : upper) : Clamp(SliceIndex(start), count, lower, upper);
        long to = stop == null ? (stride > 0 ? upper : lower) : Clamp(SliceIndex(stop), count, lower, upper);
        return (from, to);
    }

    private static long SliceIndex(object? value) =>
        PyOps.TryInteger(value, out long i) ? i : throw SliceIndexError();

    private static TemplateRenderException SliceIndexError() =>
        TemplateRenderException.Type("slice indices must be integers or None or have an __index__ method");

    private static long Clamp(long index, int count, long lower, long upper)
    {
        if (index < 0)
            index += count;
        return Math.Clamp(index, lower, upper);
    }
}
