namespace Wallfacer.Inference.Grammar;

/// <summary>
/// A grammar could not be parsed (then <see cref="Line"/> and <see cref="Column"/>, both 1-based, say where),
/// or constrained decoding cannot go on (no token is allowed, the grammar is too ambiguous).
/// </summary>
public sealed class GrammarException : Exception
{
    public GrammarException(string message)
        : base(message)
    {
    }

    public GrammarException(string message, int line, int column)
        : base($"{line}:{column}: {message}")
    {
        Line = line;
        Column = column;
    }

    public GrammarException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public GrammarException()
    {
    }

    /// <summary>A JSON Schema the compiler cannot turn into a grammar: <paramref name="keyword"/> at JSON pointer <paramref name="schemaPath"/>.</summary>
    public GrammarException(string message, string keyword, string schemaPath)
        : base($"{message} (keyword '{keyword}' at '{(schemaPath.Length == 0 ? "#" : "#" + schemaPath)}')")
    {
        Keyword = keyword;
        SchemaPath = schemaPath;
    }

    /// <summary>The JSON Schema keyword that could not be compiled; null for other errors.</summary>
    public string? Keyword { get; }

    /// <summary>The JSON pointer (within the schema) of <see cref="Keyword"/>, e.g. <c>/properties/age/multipleOf</c>; null for other errors.</summary>
    public string? SchemaPath { get; }

    /// <summary>1-based line of a parse error; 0 when the error has no source position.</summary>
    public int Line { get; }

    /// <summary>1-based column (in code points) of a parse error; 0 when the error has no source position.</summary>
    public int Column { get; }
}
