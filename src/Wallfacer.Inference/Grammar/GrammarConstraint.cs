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
/// The mask walks the vocabulary's <see cref="TokenTrie"/> depth-first against the matcher's interned states, so
/// a byte prefix shared by many tokens is matched once and a state's step on a code point is computed once
/// per run. Not thread-safe; one per run.
/// </remarks>
public sealed class GrammarConstraint : ILogitsProcessor
{
    private readonly TokenTrie _trie;
    private readonly Vocabulary _vocabulary;
    private readonly GrammarStacks _stacks;
    private readonly bool[] _allowed;    // (vocabulary size) filled by ComputeMask
    private int _state;
    private Utf8Partial _partial;

    /// <summary>Creates the constraint for one run, starting at the grammar's root.</summary>
    public GrammarConstraint(GbnfGrammar grammar, ITokenizer tokenizer, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        _trie = TokenTrie.For(tokenizer);
        _vocabulary = tokenizer.Vocabulary;
        _stacks = new GrammarStacks(grammar);
        _state = _stacks.Initial;
        _allowed = new bool[vocabSize];
    }

    /// <summary>True when the text accepted so far is a complete sentence of the grammar.</summary>
    public bool IsComplete => !_partial.IsPending && _stacks.IsComplete(_state);

    /// <summary>The tokens allowed next (true = allowed), for the current state; valid until the next call.</summary>
    /// <exception cref="GrammarException">The grammar is too ambiguous.</exception>
    public ReadOnlySpan<bool> ComputeMask()
    {
        Array.Clear(_allowed);
        Walk(0, _state, _partial);
        if (IsComplete)
        {
            foreach (int eog in _vocabulary.EndOfGenerationTokens)
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

    /// <summary>Advances past a picked token (end-of-generation tokens change nothing).</summary>
    /// <exception cref="GrammarException">The grammar refuses the token.</exception>
    public void Accept(int token)
    {
        if (_vocabulary.IsEndOfGeneration(token))
        {
            if (!IsComplete) throw new GrammarException($"End-of-generation token {token} before the grammar is complete.");
            return;
        }
        int state = _state;
        Utf8Partial partial = _partial;
        ReadOnlySpan<byte> bytes = (uint)token < (uint)_vocabulary.Count ? _trie.BytesOf(token) : [];
        bool ok = bytes.Length > 0;
        foreach (byte b in bytes)
        {
            int cp = partial.Push(b, out Utf8Partial next); // not `out partial`: Push reads `this` by reference
            partial = next;
            if (cp == -2) { ok = false; break; }
            if (cp >= 0 && (state = _stacks.Advance(state, cp)) == GrammarStacks.Dead) { ok = false; break; }
        }
        if (ok && partial.IsPending)
        {
            var (lo, hi) = partial.Range;
            ok = _stacks.CanAcceptAnyOf(state, lo, hi);
        }
        if (!ok) throw new GrammarException($"The grammar does not allow token {token}.");
        _state = state;
        _partial = partial;
    }

    private void Walk(int node, int state, Utf8Partial partial)
    {
        TokenTrie trie = _trie;
        if (node != 0)
        {
            for (int i = trie.FirstToken[node], end = i + trie.TokenCount[node]; i < end; i++)
            {
                int token = trie.Tokens[i];
                if (token < _allowed.Length) _allowed[token] = true;
            }
        }
        for (int child = trie.FirstChild[node], end = child + trie.ChildCount[node]; child < end; child++)
        {
            int cp = partial.Push(trie.Label[child], out Utf8Partial next);
            if (cp == -2) continue;
            if (cp >= 0)
            {
                int after = _stacks.Advance(state, cp);
                if (after != GrammarStacks.Dead) Walk(child, after, Utf8Partial.None);
            }
            else
            {
                var (lo, hi) = next.Range;
                if (lo <= hi && _stacks.CanAcceptAnyOf(state, lo, hi)) Walk(child, state, next);
            }
        }
    }
}
