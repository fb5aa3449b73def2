namespace Wallfacer.Inference.Templates;

/// <summary>
/// jinja2's default <c>Undefined</c>: prints as <c>''</c>, is falsy, iterates as empty and has length 0,
/// but attribute access, item access, calls, arithmetic and comparisons raise with <see cref="Message"/>.
/// The sandbox also hands one out for unsafe attributes (<see cref="Kind"/> is then Security).
/// </summary>
internal sealed class Undefined
{
    public static readonly Undefined Plain = new("undefined value", TemplateErrorKind.Undefined);

    private Undefined(string message, TemplateErrorKind kind)
    {
        Message = message;
        Kind = kind;
    }

    public string Message { get; }

    public TemplateErrorKind Kind { get; }

    public static Undefined Named(string name) => new($"'{name}' is undefined", TemplateErrorKind.Undefined);

    /// <summary>jinja's hint for a missing attribute or item of <paramref name="owner"/>.</summary>
    public static Undefined Missing(object? owner, object? key) => key is string s
        ? new($"{PyTypes.ObjectRepr(owner)} has no attribute '{s}'", TemplateErrorKind.Undefined)
        : new($"{PyTypes.ObjectRepr(owner)} has no element {PythonFormatting.Repr(key)}", TemplateErrorKind.Undefined);

    public static Undefined WithHint(string hint) => new(hint, TemplateErrorKind.Undefined);

    public static Undefined Unsafe(object? owner, string attribute) =>
        new($"access to attribute '{attribute}' of '{PyTypes.TypeName(owner)}' object is unsafe.", TemplateErrorKind.Security);

    public TemplateRenderException Fail() => new(Kind, Message);
}
