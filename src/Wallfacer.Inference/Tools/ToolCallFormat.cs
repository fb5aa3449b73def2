using Wallfacer.Inference.Grammar;

namespace Wallfacer.Inference.Tools;

/// <summary>
/// One model family's syntax for tool calls: how a call section opens, the grammar that makes the model write a
/// well-formed call to one of the given tools with arguments valid for its schema, and how to read calls back.
/// </summary>
/// <remarks>Subclasses are small and stateless; <see cref="ToolCallFormats.Detect"/> picks one from the chat template.</remarks>
public abstract class ToolCallFormat
{
    /// <summary>Top rule of <see cref="BodyGrammar"/>.</summary>
    protected const string Body = "tc-body";

    /// <summary>A short name for logs and errors ("hermes", "llama3", …).</summary>
    public abstract string Name { get; }

    /// <summary>The text that opens a call section ("" when a call is bare JSON).</summary>
    public abstract string Opening { get; }

    /// <summary>The text whose appearance means the model has started a call: a prefix of what the grammar accepts.</summary>
    public virtual string Trigger => Opening;

    /// <summary>The text that closes a call section after the body, when the format has one ("" otherwise).</summary>
    public virtual string Closing => "";

    /// <summary>Whether one answer may hold several calls.</summary>
    public virtual bool SupportsParallelCalls => true;

    /// <summary>
    /// GBNF rules for what follows <see cref="Opening"/> up to (not including) <see cref="Closing"/>; the top rule is
    /// <c>tc-body</c>; every other rule name starts with <c>tc-</c> or comes from the JSON Schema compiler.
    /// </summary>
    protected abstract string BodyGrammar(IReadOnlyList<ToolDefinition> tools, bool parallel);

    /// <summary>Reads the calls of a section that starts at <see cref="Trigger"/>; null when it is not a well-formed section.</summary>
    protected abstract IReadOnlyList<ParsedToolCall>? ParseSection(string section);

    /// <summary>
    /// The grammar of a whole call section: <see cref="Opening"/> (unless the caller wrote it into the prompt),
    /// the body, and <see cref="Closing"/> (unless the caller ends generation on it as a special token).
    /// </summary>
    /// <exception cref="GrammarException">A tool's schema uses a feature the compiler cannot enforce.</exception>
    public GbnfGrammar Grammar(IReadOnlyList<ToolDefinition> tools, bool parallel, bool withOpening = true, bool withClosing = true)
    {
        ArgumentNullException.ThrowIfNull(tools);
        if (tools.Count == 0)
            throw new ArgumentException("A tool-call grammar needs at least one tool.", nameof(tools));
        string opening = withOpening && Opening.Length > 0 ? GbnfText.Literal(Opening) + " " : "";
        string closing = withClosing && Closing.Length > 0 ? " " + GbnfText.Literal(Closing) : "";
        return GbnfGrammar.Parse($"root ::= {opening}{Body}{closing}\n" + BodyGrammar(tools, parallel && SupportsParallelCalls));
    }

    /// <summary>Where the call section starts in <paramref name="output"/>, or −1.</summary>
    protected virtual int FindSection(string output) => output.IndexOf(Trigger, StringComparison.Ordinal);

    /// <summary>Splits a complete output into the text before the calls and the calls (none when it holds no well-formed section).</summary>
    public ToolCallParse Parse(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        int at = FindSection(output);
        if (at < 0)
            return new ToolCallParse(output, []);
        var calls = ParseSection(output[at..]);
        return calls is { Count: > 0 } ? new ToolCallParse(output[..at].TrimEnd(), calls) : new ToolCallParse(output, []);
    }
}
