namespace Wallfacer.Inference.Templates;

/// <summary>
/// The Python methods a template may call on values: <c>str</c> methods (see <see cref="StringMethods"/>),
/// the read-only <c>dict</c> and <c>list</c> methods, and the mutating ones the immutable sandbox
/// refuses (they bind to an unsafe undefined that raises a security error when called).
/// </summary>
internal static class Methods
{
    private static readonly HashSet<string> UnsafeDictMethods = ["clear", "pop", "popitem", "setdefault", "update"];
    private static readonly HashSet<string> UnsafeListMethods = ["append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort"];

    public static bool TryBind(object? owner, string name, out object? method)
    {
        method = owner switch
        {
            string s when StringMethods.Has(name) => new BoundMethod(s, name, StringMethods.Call),
            PyDict d when IsDictMethod(name) => new BoundMethod(d, name, (r, n, a) => Dict((PyDict)r, n, a)),
            PyDict d when UnsafeDictMethods.Contains(name) => Undefined.Unsafe(d, name),
            PyList l when name is "index" or "count" || (!l.IsTuple && name == "copy") => new BoundMethod(l, name, (r, n, a) => List((PyList)r, n, a)),
            PyList { IsTuple: false } l when UnsafeListMethods.Contains(name) => Undefined.Unsafe(l, name),
            _ => null,
        };
        return method != null;
    }

    private static bool IsDictMethod(string name) => name is "keys" or "values" or "items" or "get" or "copy";

    public static object? Dict(PyDict dict, string name, Arguments args) => name switch
    {
        "keys" => new PyList(dict.Keys.ToList()),
        "values" => new PyList(dict.Values.ToList()),
        "items" => Items(dict),
        "get" => dict.TryGetValue(args.Required(0, "key", "get"), out var value) ? value : args.Get(1, "default"),
        _ => Copy(dict),
    };

    public static PyList Items(PyDict dict) => new(dict.Pairs.Select(p => (object?)PyList.Tuple(p.Key, p.Value)).ToList());

    private static PyDict Copy(PyDict dict)
    {
        var copy = new PyDict();
        foreach (var pair in dict.Pairs)
            copy.Set(pair.Key, pair.Value);
        return copy;
    }

    public static object? List(PyList list, string name, Arguments args)
    {
        if (name == "copy")
            return new PyList(new List<object?>(list.Items), list.IsTuple);
        var item = args.Required(0, "value", name);
        if (name == "count")
            return (long)list.Items.Count(x => PyOps.Equal(x, item));
        int index = list.Items.FindIndex(x => PyOps.Equal(x, item));
        return index >= 0 ? (long)index : throw TemplateRenderException.Type($"{PythonFormatting.Repr(item)} is not in list");
    }
}
