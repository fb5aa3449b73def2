using System.Text;

namespace Wallfacer.Inference.Grammar;

/// <summary>
/// Where a text stands in a <see cref="GbnfGrammar"/>, fed one Unicode code point at a time.
/// <see cref="Clone"/> is cheap (two fields): try a continuation on a clone, keep it or drop it.
/// </summary>
/// <remarks>A matcher and its clones share state tables: use them from one thread at a time.</remarks>
public sealed class GrammarMatcher
{
    internal GrammarMatcher(GrammarStacks stacks)
        : this(stacks, stacks.Initial)
    {
    }

    private GrammarMatcher(GrammarStacks stacks, int state)
    {
        Stacks = stacks;
        State = state;
    }

    internal GrammarStacks Stacks { get; }

    /// <summary>The interned stack set (0 = dead).</summary>
    internal int State { get; set; }

    /// <summary>The grammar being matched.</summary>
    public GbnfGrammar Grammar => Stacks.Grammar;

    /// <summary>True when the text so far is a complete sentence of the grammar (it may still go on).</summary>
    public bool IsComplete => Stacks.IsComplete(State);

    /// <summary>True when some continuation is still possible (no code point has been refused).</summary>
    public bool IsAlive => State != GrammarStacks.Dead;

    /// <summary>Advances past <paramref name="codePoint"/>; returns false, leaving the state as it was, when the grammar refuses it.</summary>
    /// <exception cref="GrammarException">The grammar is too ambiguous (too many parse stacks).</exception>
    public bool Accept(int codePoint)
    {
        int next = Stacks.Advance(State, codePoint);
        if (next == GrammarStacks.Dead) return false;
        State = next;
        return true;
    }

    /// <summary>Accepts every code point of <paramref name="text"/>; returns false (state unchanged) when one is refused.</summary>
    public bool Accept(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int state = State;
        foreach (Rune r in text.EnumerateRunes())
        {
            state = Stacks.Advance(state, r.Value);
            if (state == GrammarStacks.Dead) return false;
        }
        State = state;
        return true;
    }

    /// <summary>An independent copy of this position (sharing the tables).</summary>
    public GrammarMatcher Clone() => new(Stacks, State);
}
