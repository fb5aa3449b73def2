namespace Wallfacer.Inference.Templates;

/// <summary>jinja2's tests (<c>x is defined</c>, <c>x is string</c>, <c>x is divisibleby 3</c>, ...).</summary>
internal static class JinjaTests
{
    private delegate bool Test(object? value, Arguments args);

    private static readonly Dictionary<string, Test> All = new(StringComparer.Ordinal)
    {
        ["defined"] = (v, _) => v is not Undefined,
        ["undefined"] = (v, _) => v is Undefined,
        ["none"] = (v, _) => v is null,
        ["boolean"] = (v, _) => v is bool,
        ["true"] = (v, _) => v is true,
        ["false"] = (v, _) => v is false,
        ["string"] = (v, _) => v is string,
        ["mapping"] = (v, _) => v is PyDict,
        ["number"] = (v, _) => v is long or double or bool,
        ["integer"] = (v, _) => v is long,
        ["float"] = (v, _) => v is double,
        ["iterable"] = (v, _) => v is string or PyList or PyDict or Undefined,
        ["sequence"] = (v, _) => v is string or PyList or PyDict or Undefined,
        ["callable"] = (v, _) => v is ICallable or Undefined, // Undefined defines __call__ (to raise)
        ["escaped"] = (_, _) => false,
        ["odd"] = (v, _) => Integer(v, "odd") % 2 != 0,
        ["even"] = (v, _) => Integer(v, "even") % 2 == 0,
        ["divisibleby"] = (v, a) => Integer(v, "divisibleby") % Integer(a.Required(0, "num", "divisibleby"), "divisibleby") == 0,
        ["lower"] = (v, _) => PythonFormatting.Str(v) is var s && s.Any(char.IsLower) && !s.Any(char.IsUpper),
        ["upper"] = (v, _) => PythonFormatting.Str(v) is var s && s.Any(char.IsUpper) && !s.Any(char.IsLower),
        ["in"] = (v, a) => PyOps.Contains(a.Required(0, "seq", "in"), v),
        ["sameas"] = (v, a) => SameAs(v, a.Required(0, "other", "sameas")),
        ["eq"] = (v, a) => PyOps.Equal(v, a.Required(0, "b", "eq")),
        ["ne"] = (v, a) => !PyOps.Equal(v, a.Required(0, "b", "ne")),
        ["lt"] = (v, a) => PyOps.CompareOp(v, a.Required(0, "b", "lt"), "<"),
        ["le"] = (v, a) => PyOps.CompareOp(v, a.Required(0, "b", "le"), "<="),
        ["gt"] = (v, a) => PyOps.CompareOp(v, a.Required(0, "b", "gt"), ">"),
        ["ge"] = (v, a) => PyOps.CompareOp(v, a.Required(0, "b", "ge"), ">="),
        ["filter"] = (v, _) => v is string name && Filters.Exists(name),
        ["test"] = (v, _) => v is string name && All!.ContainsKey(name),
    };

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["=="] = "eq", ["equalto"] = "eq", ["!="] = "ne", ["<"] = "lt", ["lessthan"] = "lt", ["<="] = "le",
        [">"] = "gt", ["greaterthan"] = "gt", [">="] = "ge",
    };

    public static bool Exists(string name) => All.ContainsKey(Aliases.GetValueOrDefault(name, name));

    public static bool Apply(string name, object? value, Arguments args)
    {
        if (!All.TryGetValue(Aliases.GetValueOrDefault(name, name), out var test))
            throw new TemplateRenderException(TemplateErrorKind.Undefined, $"No test named '{name}'.");
        return test(value, args);
    }

    private static long Integer(object? value, string test) => value switch
    {
        Undefined u => throw u.Fail(),
        _ when PyOps.TryInteger(value, out long n) => n,
        double d when d == Math.Floor(d) => (long)d,
        _ => throw TemplateRenderException.Type($"'{test}' test needs an integer, not {PyTypes.TypeName(value)}"),
    };

    /// <summary>Python <c>is</c>: value identity for None/bools/small values, reference identity otherwise.</summary>
    private static bool SameAs(object? a, object? b) => a switch
    {
        null => b is null,
        bool x => b is bool y && x == y,
        long x => b is long y && x == y,
        string x => b is string y && x == y,
        _ => ReferenceEquals(a, b),
    };
}
