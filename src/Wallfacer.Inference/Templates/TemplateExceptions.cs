namespace Wallfacer.Inference.Templates;

/// <summary>Base of every error a chat template can raise, at parse or at render time.</summary>
public class TemplateException : Exception
{
    public TemplateException(string message, int line)
        : base(message)
    {
        Line = line;
    }

    public TemplateException(string message, int line, Exception inner)
        : base(message, inner)
    {
        Line = line;
    }

    /// <summary>1-based line in the template source; 0 when unknown.</summary>
    public int Line { get; internal set; }
}

/// <summary>The template source is not valid Jinja; the message names the line and column.</summary>
public sealed class TemplateSyntaxException : TemplateException
{
    public TemplateSyntaxException(string message, int line, int column)
        : base($"{message} (line {line}, column {column})", line)
    {
        Column = column;
    }

    /// <summary>1-based column of the offending token.</summary>
    public int Column { get; }
}

/// <summary>What went wrong while rendering.</summary>
public enum TemplateErrorKind
{
    /// <summary>The template called <c>raise_exception(message)</c>; the message is the template's own.</summary>
    RaisedByTemplate,

    /// <summary>An undefined variable, attribute or item was used in a way that needs a value.</summary>
    Undefined,

    /// <summary>A Python <c>TypeError</c>/<c>ValueError</c>: an operation on values of the wrong type.</summary>
    Type,

    /// <summary>The sandbox refused an operation (mutating a list or dict, private attributes).</summary>
    Security,

    /// <summary>A loop, recursion or output limit of <see cref="JinjaOptions"/> was exceeded.</summary>
    LimitExceeded,
}

/// <summary>Rendering failed. <see cref="Exception.Message"/> is Python's wording where the corpus pins it.</summary>
public sealed class TemplateRenderException : TemplateException
{
    public TemplateRenderException(TemplateErrorKind kind, string message, int line = 0)
        : base(message, line)
    {
        Kind = kind;
    }

    public TemplateErrorKind Kind { get; }

    internal static TemplateRenderException Type(string message) => new(TemplateErrorKind.Type, message);

    internal static TemplateRenderException Limit(string message) => new(TemplateErrorKind.LimitExceeded, message);
}
