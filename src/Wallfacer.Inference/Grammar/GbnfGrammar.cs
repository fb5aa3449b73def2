namespace Wallfacer.Inference.Grammar;

/// <summary>What one element of a rule alternative is.</summary>
internal enum ElementKind : byte
{
    /// <summary>Ends an alternative.</summary>
    End,
    /// <summary>A reference to rule <see cref="GrammarElement.Value"/>.</summary>
    Rule,
    /// <summary>One code point from char set <see cref="GrammarElement.Value"/>.</summary>
    Chars,
}

internal readonly record struct GrammarElement(ElementKind Kind, int Value);

/// <summary>
/// A parsed GBNF grammar (llama.cpp's format, grammars/README.md), immutable and thread-safe. Every rule's
/// alternatives live in one flat element array, each ended by <see cref="ElementKind.End"/>; repetitions and
/// groups were rewritten into generated rules (<c>x*</c> → <c>r ::= x r |</c>), as llama.cpp does.
/// Decoding against it goes through a <see cref="GrammarMatcher"/>.
/// </summary>
public sealed class GbnfGrammar
{
    /// <summary>Largest grammar source accepted, in characters.</summary>
    public const int MaxSourceLength = 1 << 20;
    /// <summary>Most rules (written and generated) and most elements in all alternatives together.</summary>
    public const int MaxRules = 50_000, MaxElements = 200_000;
    /// <summary>Largest repetition bound <c>{m,n}</c>.</summary>
    public const int MaxRepetition = 10_000;
    /// <summary>Deepest nesting of parentheses.</summary>
    public const int MaxNesting = 100;

    internal GbnfGrammar(GrammarElement[] elements, int[][] alternatives, CharSet[] charSets, string[] ruleNames, int root)
    {
        Elements = elements;
        Alternatives = alternatives;
        CharSets = charSets;
        RuleNames = ruleNames;
        Root = root;
    }

    /// <summary>Every rule's elements, alternative after alternative, each alternative ended by End.</summary>
    internal GrammarElement[] Elements { get; }

    /// <summary>(rules) → start index in <see cref="Elements"/> of each alternative.</summary>
    internal int[][] Alternatives { get; }

    internal CharSet[] CharSets { get; }

    /// <summary>Names of the rules by id; generated rules are named after the rule they came from (<c>value_3</c>).</summary>
    public IReadOnlyList<string> RuleNames { get; }

    internal int Root { get; }

    /// <summary>Parses GBNF text; the start rule is <c>root</c>.</summary>
    /// <exception cref="GrammarException">A syntax error (with line:column), an undefined rule, left recursion, or a limit exceeded.</exception>
    public static GbnfGrammar Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new GbnfParser(text).Parse();
    }

    /// <summary>A matcher at the start of the <c>root</c> rule (with its own state tables).</summary>
    public GrammarMatcher CreateMatcher() => new(new GrammarStacks(this));
}
