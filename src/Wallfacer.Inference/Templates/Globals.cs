namespace Wallfacer.Inference.Templates;

/// <summary>
/// Global functions: jinja's <c>range</c> (bounded as the sandbox bounds it), <c>dict</c>,
/// <c>namespace</c>, <c>joiner</c>, and transformers' <c>raise_exception</c> and <c>strftime_now</c>.
/// </summary>
internal static class Globals
{
    /// <summary>jinja2.sandbox.MAX_RANGE.</summary>
    public const int MaxRange = 100_000;

    private static readonly Dictionary<string, object> Functions = new(StringComparer.Ordinal)
    {
        ["range"] = new BuiltinFunction("range", (_, args) => Range(args)),
        ["dict"] = new BuiltinFunction("dict", (_, args) => Dict(args)),
        ["namespace"] = new BuiltinFunction("namespace", (_, args) => NewNamespace(args)),
        ["joiner"] = new BuiltinFunction("joiner", (_, args) => Joiner(args.Get(0, "sep", ", "))),
        ["raise_exception"] = new BuiltinFunction("raise_exception", (_, args) => throw new TemplateRenderException(
            TemplateErrorKind.RaisedByTemplate, PythonFormatting.Str(args.Get(0, "message", "")))),
        ["strftime_now"] = new BuiltinFunction("strftime_now", (interpreter, args) =>
            Strftime.Format(interpreter.Options.Now(), args.Required(0, "format", "strftime_now") as string
                ?? throw TemplateRenderException.Type("strftime() argument 1 must be str"))),
    };

    public static bool TryGet(string name, out object? value)
    {
        bool found = Functions.TryGetValue(name, out var function);
        value = function;
        return found;
    }

    private static PyList Range(Arguments args)
    {
        var numbers = args.Positional.Select(a => PyOps.TryInteger(a, out long n)
            ? n
            : throw TemplateRenderException.Type($"'{PyTypes.TypeName(a)}' object cannot be interpreted as an integer")).ToArray();
        var (start, stop, step) = numbers.Length switch
        {
            1 => (0L, numbers[0], 1L),
            2 => (numbers[0], numbers[1], 1L),
            3 => (numbers[0], numbers[1], numbers[2]),
            _ => throw TemplateRenderException.Type($"range expected 1 to 3 arguments, got {numbers.Length}"),
        };
        if (step == 0)
            throw TemplateRenderException.Type("range() arg 3 must not be zero");
        long count = step > 0 ? Math.Max(0, (stop - start + step - 1) / step) : Math.Max(0, (start - stop - step - 1) / -step);
        if (count > MaxRange)
            throw TemplateRenderException.Limit($"Range too big. The sandbox blocks ranges larger than MAX_RANGE ({MaxRange}).");
        var items = new List<object?>((int)count);
        for (long i = 0; i < count; i++)
            items.Add(start + i * step);
        return new PyList(items);
    }

    /// <summary><c>dict(mapping_or_pairs, **kwargs)</c>.</summary>
    public static PyDict Dict(Arguments args)
    {
        var dict = new PyDict();
        if (args.Positional.Count > 0)
        {
            switch (args.Positional[0])
            {
                case PyDict source:
                    foreach (var pair in source.Pairs)
                        dict.Set(pair.Key, pair.Value);
                    break;
                case var pairs:
                    foreach (var pair in PyOps.Iterate(pairs))
                    {
                        var kv = PyOps.Iterate(pair);
                        if (kv.Count != 2)
                            throw TemplateRenderException.Type("dictionary update sequence element has wrong length; 2 is required");
                        dict.Set(kv[0], kv[1]);
                    }
                    break;
            }
        }
        foreach (var pair in args.Named)
            dict.Set(pair.Key, pair.Value);
        return dict;
    }

    private static Namespace NewNamespace(Arguments args)
    {
        var ns = new Namespace();
        foreach (var pair in Dict(args).Pairs)
            ns.Attributes[pair.Key as string ?? throw TemplateRenderException.Type("namespace keys must be strings")] = pair.Value;
        return ns;
    }

    private static BuiltinFunction Joiner(object? separator)
    {
        bool used = false;
        return new BuiltinFunction("joiner", (_, _) =>
        {
            if (used)
                return separator;
            used = true;
            return "";
        });
    }
}
