namespace Wallfacer.Inference.Grammar;

/// <summary>
/// Where a partial output can be in the grammar: a set of stacks of positions (llama.cpp's design). Each stack's
/// top is a character set waiting for the next code point; an empty stack means the output may end here.
/// Accepting a code point advances every stack whose top matches and drops the rest. Bounded: at most
/// <see cref="MaxStacks"/> live stacks (an ambiguous grammar beyond that is an error, not a slowdown).
/// </summary>
public sealed class GrammarMatcher
{
    public const int MaxStacks = 4096;
    private const int MaxExpansionDepth = 512;

    private readonly GbnfGrammar _grammar;
    private List<Stack?> _stacks;

    internal GrammarMatcher(GbnfGrammar grammar)
    {
        _grammar = grammar;
        _stacks = [];
        var seen = new HashSet<Stack?>();
        foreach (int alt in Enumerable.Range(0, grammar.Rules[grammar.Root].Count))
            Expand(new Stack(new Position(grammar.Root, alt, 0), null), _stacks, seen, 0);
    }

    private GrammarMatcher(GbnfGrammar grammar, List<Stack?> stacks)
    {
        _grammar = grammar;
        _stacks = stacks;
    }

    /// <summary>The output so far is a complete match (end-of-generation may come now).</summary>
    public bool IsComplete => _stacks.Contains(null);

    /// <summary>No continuation is possible: the output has left the grammar.</summary>
    public bool IsDead => _stacks.Count == 0;

    /// <summary>True when the output may continue with more characters.</summary>
    public bool CanContinue => _stacks.Any(s => s is not null);

    public GrammarMatcher Clone() => new(_grammar, [.. _stacks]);

    /// <summary>Order-independent hash of the state (for interning equal states during a mask walk).</summary>
    internal int StateHash()
    {
        int hash = _stacks.Count;
        foreach (var stack in _stacks)
            hash ^= stack?.GetHashCode() ?? 17;
        return hash;
    }

    /// <summary>Whether both matchers would accept exactly the same continuations.</summary>
    internal bool SameStateAs(GrammarMatcher other) =>
        _stacks.Count == other._stacks.Count && new HashSet<Stack?>(_stacks).SetEquals(other._stacks);

    /// <summary>Advances on <paramref name="codePoint"/>; false (and dead) when the grammar does not allow it.</summary>
    public bool Accept(int codePoint)
    {
        var next = new List<Stack?>();
        var seen = new HashSet<Stack?>();
        foreach (var stack in _stacks)
        {
            if (stack is null || Element(stack.Top) is not CharSet set || !set.Matches(codePoint))
                continue;
            Expand(stack with { Top = stack.Top with { Index = stack.Top.Index + 1 } }, next, seen, 0);
        }
        _stacks = next;
        return next.Count > 0;
    }

    /// <summary>Whether some live stack accepts a code point in [low, high] (a character not yet complete).</summary>
    public bool AllowsAnyIn(int low, int high) =>
        _stacks.Any(s => s is not null && Element(s.Top) is CharSet set && set.MatchesAnyIn(low, high));

    private GrammarElement? Element(Position p)
    {
        var sequence = _grammar.Rules[p.Rule][p.Alternative];
        return p.Index < sequence.Length ? sequence[p.Index] : null;
    }

    /// <summary>Brings a stack to a character set on top (or to empty), expanding rule references into their alternatives.</summary>
    private void Expand(Stack? stack, List<Stack?> into, HashSet<Stack?> seen, int depth)
    {
        if (depth > MaxExpansionDepth)
            throw new GrammarException($"The grammar nests deeper than {MaxExpansionDepth} rules without consuming a character.");
        if (stack is null)
        {
            if (seen.Add(null))
                into.Add(null);
            return;
        }
        switch (Element(stack.Top))
        {
            case null: // the rule at the top is finished: continue in its parent
                Expand(stack.Parent, into, seen, depth + 1);
                break;
            case CharSet:
                if (seen.Add(stack))
                {
                    if (into.Count >= MaxStacks)
                        throw new GrammarException($"The grammar is too ambiguous: more than {MaxStacks} ways to continue at once.");
                    into.Add(stack);
                }
                break;
            case RuleRef reference:
                var continuation = new Stack(stack.Top with { Index = stack.Top.Index + 1 }, stack.Parent);
                for (int alt = 0; alt < _grammar.Rules[reference.Rule].Count; alt++)
                    Expand(new Stack(new Position(reference.Rule, alt, 0), continuation), into, seen, depth + 1);
                break;
        }
    }

    private readonly record struct Position(int Rule, int Alternative, int Index);

    /// <summary>An immutable linked stack; value equality lets identical continuations merge.</summary>
    private sealed record Stack(Position Top, Stack? Parent);
}
