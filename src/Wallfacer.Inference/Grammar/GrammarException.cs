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

    /// <summary>1-based line of a parse error; 0 when the error has no source position.</summary>
    public int Line { get; }

    /// <summary>1-based column (in code points) of a parse error; 0 when the error has no source position.</summary>
    public int Column { get; }
}
