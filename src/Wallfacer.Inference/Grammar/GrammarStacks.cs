using System.Runtime.InteropServices;

namespace Wallfacer.Inference.Grammar;

/// <summary>
/// The matching state tables of one decoding run, in llama.cpp's style (llama_grammar_advance_stack /
/// llama_grammar_accept): a parse state is a set of stacks of positions in rule alternatives, each stack's
/// top a terminal still to be matched. Accepting a code point advances every stack whose top matches,
/// drops the rest, and expands rule references until every top is a terminal again.
/// </summary>
/// <remarks>
/// Stacks are hash-consed: a stack is a node (its top position, the node below), so equal stacks are
/// equal ints and deduplication is free. Sets of stacks are interned too, and a set's transition on a
/// code point is memoized, so a token trie walk that reaches the same state twice pays once.
/// Not thread-safe: one per run (a matcher and its clones share one).
/// </remarks>
internal sealed class GrammarStacks
{
    /// <summary>Most stacks one state may hold before the grammar counts as too ambiguous.</summary>
    public const int MaxStacks = 10_000;

    /// <summary>The state no input leads out of (no stacks).</summary>
    public const int Dead = 0;

    /// <summary>Node 0: the empty stack — the grammar is complete.</summary>
    private const int EmptyStack = 0;

    private const int MaxMemoEntries = 1 << 21;

    private readonly GbnfGrammar _grammar;
    private readonly List<int> _below = [-1];       // (nodes) node under each node
    private readonly List<int> _position = [-1];    // (nodes) element index at each node's top
    private readonly Dictionary<long, int> _nodes = [];
    private readonly List<int[]> _sets = [[]];       // (states) sorted node ids; state 0 = dead
    private readonly Dictionary<int[], int> _setIds = new(new SetComparer()) { [[]] = Dead };
    private readonly Dictionary<long, int> _transitions = [];
    private readonly Dictionary<(int State, ulong Signature), int> _bySignature = []; // next state + 1
    private readonly List<int[]?> _ascii = [null];   // (states) → (128) next state + 1 on each ASCII code point; 0 = not yet known
    private readonly HashSet<int> _scratch = [];
    private readonly HashSet<int> _expanded = [];
    private readonly Stack<int> _work = new();

    public GrammarStacks(GbnfGrammar grammar)
    {
        _grammar = grammar;
        foreach (int alt in grammar.Alternatives[grammar.Root])
            Expand(_grammar.Elements[alt].Kind == ElementKind.End ? EmptyStack : Push(EmptyStack, alt));
        Initial = Intern();
    }

    public GbnfGrammar Grammar => _grammar;

    /// <summary>The state before any input.</summary>
    public int Initial { get; }

    /// <summary>True when the input so far is a complete sentence of the grammar.</summary>
    public bool IsComplete(int state)
    {
        int[] set = _sets[state];
        return set.Length > 0 && set[0] == EmptyStack;
    }

    /// <summary>The state after <paramref name="codePoint"/>, or <see cref="Dead"/>.</summary>
    public int Advance(int state, int codePoint)
    {
        if (state == Dead) return Dead;
        if ((uint)codePoint < 128)
        {
            int[] row = _ascii[state] ??= new int[128];
            int known = row[codePoint];
            if (known != 0) return known - 1;
            int computed = Step(state, codePoint);
            _ascii[state]![codePoint] = computed + 1; // Step may have grown _ascii, not replaced this row
            return computed;
        }
        // Beyond ASCII, code points that the same stacks accept lead to the same state: memoize by that signature
        // (a CJK-heavy vocabulary then costs one lookup per character, not one state computation per distinct one).
        int[] set = _sets[state];
        long key;
        if (set.Length <= 64)
        {
            ulong signature = 0;
            for (int i = 0; i < set.Length; i++)
            {
                if (set[i] != EmptyStack && _grammar.CharSets[_grammar.Elements[_position[set[i]]].Value].Contains(codePoint))
                    signature |= 1UL << i;
            }
            if (signature == 0) return Dead;
            ref int slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_bySignature, (state, signature), out bool exists);
            if (!exists) slot = Step(state, codePoint) + 1;
            return slot - 1;
        }
        key = ((long)state << 21) | (uint)codePoint;
        if (_transitions.TryGetValue(key, out int next)) return next;
        next = Step(state, codePoint);
        if (_transitions.Count >= MaxMemoEntries) _transitions.Clear();
        _transitions[key] = next;
        return next;
    }

    /// <summary>Computes the state after <paramref name="codePoint"/> (no memo).</summary>
    private int Step(int state, int codePoint)
    {
        foreach (int node in _sets[state])
        {
            if (node == EmptyStack) continue;
            int pos = _position[node];
            if (!_grammar.CharSets[_grammar.Elements[pos].Value].Contains(codePoint)) continue;
            int rest = _below[node];
            Expand(_grammar.Elements[pos + 1].Kind == ElementKind.End ? rest : Push(rest, pos + 1));
        }
        return Intern();
    }

    /// <summary>True when some stack of <paramref name="state"/> accepts a code point in [lo, hi] (a partial UTF-8 character).</summary>
    public bool CanAcceptAnyOf(int state, int lo, int hi)
    {
        foreach (int node in _sets[state])
        {
            if (node != EmptyStack && _grammar.CharSets[_grammar.Elements[_position[node]].Value].Intersects(lo, hi))
                return true;
        }
        return false;
    }

    /// <summary>The number of stacks in a state (for tests and diagnostics).</summary>
    public int StackCount(int state) => _sets[state].Length;

    private int Push(int below, int position)
    {
        long key = ((long)below << 32) | (uint)position;
        ref int id = ref CollectionsMarshal.GetValueRefOrAddDefault(_nodes, key, out bool exists);
        if (!exists)
        {
            id = _below.Count;
            _below.Add(below);
            _position.Add(position);
        }
        return id;
    }

    /// <summary>Adds to the scratch set every terminal-topped stack that <paramref name="start"/> expands to.</summary>
    private void Expand(int start)
    {
        _expanded.Clear();
        _work.Push(start);
        while (_work.Count > 0)
        {
            int node = _work.Pop();
            if (!_expanded.Add(node)) continue;
            if (node == EmptyStack) { _scratch.Add(node); continue; }
            int pos = _position[node];
            GrammarElement e = _grammar.Elements[pos];
            if (e.Kind == ElementKind.Chars) { _scratch.Add(node); continue; }

            // A rule reference: replace it by each alternative, with what follows it underneath.
            int rest = _below[node];
            if (_grammar.Elements[pos + 1].Kind != ElementKind.End) rest = Push(rest, pos + 1);
            foreach (int alt in _grammar.Alternatives[e.Value])
                _work.Push(_grammar.Elements[alt].Kind == ElementKind.End ? rest : Push(rest, alt));
        }
        if (_scratch.Count > MaxStacks)
        {
            _scratch.Clear();
            throw new GrammarException($"The grammar is too ambiguous: more than {MaxStacks} parse stacks at once.");
        }
    }

    private int Intern()
    {
        int[] set = [.. _scratch];
        _scratch.Clear();
        Array.Sort(set);
        ref int id = ref CollectionsMarshal.GetValueRefOrAddDefault(_setIds, set, out bool exists);
        if (!exists)
        {
            id = _sets.Count;
            _sets.Add(set);
            _ascii.Add(null);
        }
        return id;
    }

    private sealed class SetComparer : IEqualityComparer<int[]>
    {
        public bool Equals(int[]? x, int[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(int[] set)
        {
            var h = new HashCode();
            h.AddBytes(MemoryMarshal.AsBytes(set.AsSpan()));
            return h.ToHashCode();
        }
    }
}
