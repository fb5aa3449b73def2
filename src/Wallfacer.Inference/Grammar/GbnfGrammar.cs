namespace Wallfacer.Inference.Grammar;

/// <summary>One element of a sequence: a set of code points, or a reference to a rule.</summary>
public abstract record GrammarElement;

/// <summary>Matches one code point in (or, negated, outside) the inclusive ranges.</summary>
public sealed record CharSet(IReadOnlyList<(int Low, int High)> Ranges, bool Negated) : GrammarElement
{
    public bool Matches(int codePoint)
    {
        bool inside = false;
        foreach (var (low, high) in Ranges)
        {
            if (codePoint >= low && codePoint <= high)
            {
                inside = true;
                break;
            }
        }
        return inside != Negated;
    }

    /// <summary>Whether any code point in [low, high] matches (for a partial UTF-8 character at the end of a token).</summary>
    public bool MatchesAnyIn(int low, int high)
    {
        if (Negated)
            return !Ranges.Any(r => r.Low <= low && r.High >= high);
        return Ranges.Any(r => r.Low <= high && r.High >= low);
    }
}

/// <summary>Matches the rule with index <paramref name="Rule"/>.</summary>
public sealed record RuleRef(int Rule) : GrammarElement;

/// <summary>
/// A compiled GBNF grammar (llama.cpp's format): rules of alternatives of sequences of code-point sets and rule
/// references. Repetitions and groups are compiled into helper rules, as llama.cpp does. Immutable and shareable.
/// </summary>
public sealed class GbnfGrammar
{
    internal GbnfGrammar(IReadOnlyList<string> names, IReadOnlyList<IReadOnlyList<GrammarElement[]>> rules, int root)
    {
        Names = names;
        Rules = rules;
        Root = root;
    }

    /// <summary>Rule names (helper rules are named after their parent).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Each rule's alternatives; an alternative is a sequence of elements (empty = ε).</summary>
    public IReadOnlyList<IReadOnlyList<GrammarElement[]>> Rules { get; }

    public int Root { get; }

    /// <summary>Parses GBNF text; the start rule is <c>root</c>.</summary>
    /// <exception cref="GrammarException">The text does not parse (line:column), a rule is undefined, or there is no root.</exception>
    public static GbnfGrammar Parse(string text) => new GbnfParser(text).Parse();

    /// <summary>A fresh matcher at the start of the grammar.</summary>
    public GrammarMatcher CreateMatcher() => new(this);
}
