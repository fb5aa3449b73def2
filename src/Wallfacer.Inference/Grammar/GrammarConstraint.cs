using Wallfacer.Inference.Sampling;
using Wallfacer.Tokenizers;

namespace Wallfacer.Inference.Grammar;

/// <summary>
/// Constrained decoding for one run: before sampling, every token the grammar cannot continue with gets a
/// −∞ logit; after a token is picked, <see cref="Accept"/> advances the matcher over its bytes. A token may
/// end inside a UTF-8 character: it is allowed when the pending bytes can still complete to a code point the
/// grammar accepts, and the partial character is carried into the next token (as llama.cpp does).
/// End-of-generation tokens are allowed only when the text is a complete sentence.
/// </summary>
/// <remarks>
/// The mask walks the vocabulary's <see cref="TokenTrie"/> depth-first against the matcher's interned states lifted to
/// bytes (<see cref="ByteStates"/>), so a byte prefix shared by many tokens is matched once, a state's step on a byte
/// is computed once per run, and the walk of a state that recurs (inside a JSON string) is kept. Not thread-safe; one per run.
/// </remarks>
public sealed class GrammarConstraint : ILogitsProcessor
{
    private readonly TokenTrie _trie;
    private readonly Vocabulary _vocabulary;
    private readonly GrammarStacks _stacks;
    private readonly bool[] _allowed;    // (vocabulary size) filled by ComputeMask
    private readonly Dictionary<(int State, Utf8Partial Partial), int[]> _masks = []; // allowed trie tokens per position
    private readonly int[] _walked;      // (tokens in the trie) output of a walk
    private readonly int[] _level, _nextLevel; // (2 × widest trie level) the walk's (node, byte state) pairs, one level each
    private readonly ByteStates _bytes;
    private readonly int[] _endTokens; // end-of-generation tokens plus the caller's extra ones
    private int _state;
    private Utf8Partial _partial;

    /// <summary>Most masks kept for states that may recur (each at most one int per allowed token).</summary>
    private const int MaxCachedMasks = 64;

    /// <summary>Creates the constraint for one run, starting at the grammar's root.</summary>
    public GrammarConstraint(GbnfGrammar grammar, ITokenizer tokenizer, int vocabSize)
        : this(grammar, tokenizer, vocabSize, [])
    {
    }

    /// <summary>
    /// As above; <paramref name="extraEndTokens"/> end the text like end-of-generation (e.g. a special token closing
    /// a tool call), so they too are allowed only when the grammar is complete.
    /// </summary>
    public GrammarConstraint(GbnfGrammar grammar, ITokenizer tokenizer, int vocabSize, IReadOnlyCollection<int> extraEndTokens)
    {
        ArgumentNullException.ThrowIfNull(extraEndTokens);
        ArgumentNullException.ThrowIfNull(grammar);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        _trie = TokenTrie.For(tokenizer);
        _vocabulary = tokenizer.Vocabulary;
        _endTokens = [.. _vocabulary.EndOfGenerationTokens.Concat(extraEndTokens).Distinct()];
        _stacks = new GrammarStacks(grammar);
        _bytes = new ByteStates(_stacks);
        _state = _stacks.Initial;
        _allowed = new bool[vocabSize];
        _walked = new int[_trie.Tokens.Length];
        _level = new int[2 * _trie.MaxLevelWidth];
        _nextLevel = new int[2 * _trie.MaxLevelWidth];
    }

    /// <summary>True when the text accepted so far is a complete sentence of the grammar.</summary>
    public bool IsComplete => !_partial.IsPending && _stacks.IsComplete(_state);

    /// <summary>The tokens allowed next (true = allowed), for the current state; valid until the next call.</summary>
    /// <exception cref="GrammarException">The grammar is too ambiguous.</exception>
    public ReadOnlySpan<bool> ComputeMask()
    {
        Array.Clear(_allowed);
        // A state recurs often (every character inside a JSON string is the same state): its walk is kept.
        if (!_masks.TryGetValue((_state, _partial), out int[]? tokens))
        {
            if (_bytes.Count > ByteStates.MaxRows) _bytes.Clear();
            tokens = _walked.AsSpan(0, Walk(_bytes.Get(_state, _partial))).ToArray();
            if (_masks.Count >= MaxCachedMasks) _masks.Clear();
            _masks[(_state, _partial)] = tokens;
        }
        foreach (int t in tokens)
        {
            if (t < _allowed.Length) _allowed[t] = true;
        }
        if (IsComplete)
        {
            foreach (int eog in _endTokens)
                if (eog < _allowed.Length) _allowed[eog] = true;
        }
        return _allowed;
    }

    /// <summary>Masks every token the grammar refuses to −∞.</summary>
    /// <exception cref="GrammarException">No token is allowed (the grammar cannot be continued with this vocabulary).</exception>
    public void Process(CandidateBuffer candidates, TokenHistory history)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ReadOnlySpan<bool> allowed = ComputeMask();
        bool any = false;
        foreach (TokenCandidate c in candidates.Candidates)
        {
            if (allowed[c.Token] && !float.IsNegativeInfinity(c.Logit)) { any = true; break; }
        }
        if (!any)
            throw new GrammarException("No token of the vocabulary can continue the text under the grammar (nothing allowed; refusing to generate unconstrained text).");
        foreach (ref TokenCandidate c in candidates.EditLogits(orderPreserved: false))
        {
            if (!allowed[c.Token]) c.Logit = float.NegativeInfinity;
        }
    }

    /// <summary>
    /// Whether the grammar allows <paramref name="token"/> next, without computing the whole mask: the sampler
    /// picks freely first and the full mask is needed only when this says no (llama.cpp's order).
    /// </summary>
    public bool AllowsOne(int token) =>
        IsEnd(token) ? IsComplete : TryAdvance(token, out _, out _);

    private bool IsEnd(int token) => Array.IndexOf(_endTokens, token) >= 0;

    /// <summary>Advances past a picked token (end-of-generation tokens change nothing).</summary>
    /// <exception cref="GrammarException">The grammar refuses the token.</exception>
    public void Accept(int token)
    {
        if (IsEnd(token))
        {
            if (!IsComplete) throw new GrammarException($"End-of-generation token {token} before the grammar is complete.");
            return;
        }
        if (!TryAdvance(token, out int state, out Utf8Partial partial))
            throw new GrammarException($"The grammar does not allow token {token}.");
        _state = state;
        _partial = partial;
    }

    /// <summary>
    /// Advances past text that was generated before the grammar switched on (a lazy grammar's trigger and what
    /// followed it in the same token).
    /// </summary>
    /// <exception cref="GrammarException">The grammar refuses the text (the message shows where).</exception>
    public void AcceptText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_partial.IsPending)
            throw new GrammarException("Text cannot be accepted in the middle of a UTF-8 character.");
        int state = _state, offset = 0;
        foreach (System.Text.Rune r in text.EnumerateRunes())
        {
            state = _stacks.Advance(state, r.Value);
            if (state == GrammarStacks.Dead)
                throw new GrammarException($"The grammar does not allow {r} at offset {offset} of \"{text}\".");
            offset += r.Utf16SequenceLength;
        }
        _state = state;
    }

    /// <summary>The state after <paramref name="token"/>'s bytes, or false when the grammar refuses them.</summary>
    private bool TryAdvance(int token, out int state, out Utf8Partial partial)
    {
        state = _state;
        partial = _partial;
        ReadOnlySpan<byte> bytes = _trie.Contains(token) ? _trie.BytesOf(token) : [];
        if (bytes.Length == 0) return false;
        foreach (byte b in bytes)
        {
            int cp = partial.Push(b, out Utf8Partial next); // not `out partial`: Push reads `this` by reference
            partial = next;
            if (cp == -2) return false;
            if (cp >= 0 && (state = _stacks.Advance(state, cp)) == GrammarStacks.Dead) return false;
        }
        if (!partial.IsPending) return true;
        var (lo, hi) = partial.Range;
        return _stacks.CanAcceptAnyOf(state, lo, hi);
    }

    internal void DropCachedMasks() => _masks.Clear();

    internal int ByteStateCount => _bytes.Count;

    /// <summary>
    /// Breadth-first over the trie from the root at <paramref name="rootByteState"/>; returns how many tokens went to
    /// the output. Level by level, parents come in node order and children are contiguous, so the trie's arrays are
    /// read almost sequentially (depth-first order jumps around the arrays and is several times slower).
    /// </summary>
    private int Walk(int rootByteState)
    {
        TokenTrie trie = _trie;
        int[] firstChild = trie.FirstChild, childCount = trie.ChildCount, firstToken = trie.FirstToken, tokenCount = trie.TokenCount;
        int[] tokens = trie.Tokens, output = _walked;
        byte[] label = trie.Label;
        int[] level = _level, next = _nextLevel; // (node, byte state) pairs
        int levelLength = 0, count = 0;
        level[levelLength++] = 0;
        level[levelLength++] = rootByteState;
        while (levelLength > 0)
        {
            int nextLength = 0;
            for (int p = 0; p < levelLength; p += 2)
            {
                int node = level[p], byteState = level[p + 1];
                int[] row = _bytes.Row(byteState);
                for (int child = firstChild[node], end = child + childCount[node]; child < end; child++)
                {
                    byte b = label[child];
                    int entry = row[b];
                    if (entry == 0) entry = _bytes.Fill(byteState, b);
                    if (entry == 1) continue;
                    int n = tokenCount[child];
                    if (n > 0)
                    {
                        Array.Copy(tokens, firstToken[child], output, count, n);
                        count += n;
                    }
                    if (childCount[child] == 0) continue;
                    next[nextLength++] = child;
                    next[nextLength++] = entry - 2;
                }
            }
            (level, next) = (next, level);
            levelLength = nextLength;
        }
        return count;
    }
}
