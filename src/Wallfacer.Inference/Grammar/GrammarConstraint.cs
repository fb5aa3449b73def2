using System.Runtime.CompilerServices;
using Wallfacer.Inference.Sampling;
using Wallfacer.Tokenizers;

namespace Wallfacer.Inference.Grammar;

/// <summary>
/// The sampler stage that enforces a grammar: every token whose bytes cannot continue a valid output gets −∞,
/// end-of-generation is allowed only when the output is complete, and control tokens never. Tokens are byte
/// strings, so a token may end inside a UTF-8 character: the partial bytes are carried to the next token and
/// allowed only if some character the grammar accepts starts with them (as llama.cpp does). When nothing is
/// allowed the run fails loudly — it never falls back to unconstrained text.
/// </summary>
public sealed class GrammarConstraint : ILogitsProcessor
{
    private static readonly ConditionalWeakTable<ITokenizer, Spelling> SpellingByTokenizer = new();

    private readonly ITokenizer _tokenizer;
    private readonly Spelling _spelling;
    private GrammarMatcher _matcher;
    private byte[] _pending = [];
    private bool[]? _allowed; // this step's mask, computed on first use

    public GrammarConstraint(GbnfGrammar grammar, ITokenizer tokenizer)
    {
        _tokenizer = tokenizer;
        _spelling = SpellingByTokenizer.GetValue(tokenizer, t => new Spelling(t));
        _matcher = grammar.CreateMatcher();
    }

    /// <summary>Every token's bytes, and a trie of the ones a grammar may pick (no control, no end, no empty).</summary>
    private sealed class Spelling
    {
        public Spelling(ITokenizer tokenizer)
        {
            var vocabulary = tokenizer.Vocabulary;
            Pieces = Enumerable.Range(0, vocabulary.Count).Select(t => tokenizer.TokenBytes(t)).ToArray();
            Trie = new TokenTrie(Pieces.Select((p, t) => vocabulary.IsControl(t) || vocabulary.IsEndOfGeneration(t) ? null : p).ToArray());
        }

        public byte[][] Pieces { get; }
        public TokenTrie Trie { get; }
    }

    /// <summary>The output so far is a complete match.</summary>
    public bool IsComplete => _matcher.IsComplete && _pending.Length == 0;

    public void Process(CandidateBuffer candidates, TokenHistory history)
    {
        var allowed = Mask();
        var items = candidates.EditLogits(orderPreserved: false);
        bool any = false;
        for (int i = 0; i < items.Length; i++)
        {
            if (float.IsNegativeInfinity(items[i].Logit))
                continue;
            if ((uint)items[i].Token < (uint)allowed.Length && allowed[items[i].Token])
                any = true;
            else
                items[i].Logit = float.NegativeInfinity;
        }
        if (!any)
            throw new GrammarException("No token of the vocabulary can continue the output within the grammar.");
    }

    /// <summary>Whether <paramref name="token"/> may come next.</summary>
    public bool Allows(int token) => (uint)token < (uint)Mask().Length && Mask()[token];

    /// <summary>
    /// The same answer as <see cref="Allows"/> for one token, without computing the whole mask: the fast path
    /// when the unconstrained sampler's pick is already valid (most steps of a well-behaved model).
    /// </summary>
    public bool AllowsOne(int token)
    {
        var vocabulary = _tokenizer.Vocabulary;
        if ((uint)token >= (uint)_spelling.Pieces.Length)
            return false;
        if (vocabulary.IsEndOfGeneration(token))
            return IsComplete;
        if (vocabulary.IsControl(token) || _spelling.Pieces[token].Length == 0)
            return false;
        return Advance(_matcher.Clone(), _pending, _spelling.Pieces[token], out _);
    }

    /// <summary>
    /// This step's allowed tokens: the trie is walked from the current state, one byte per edge; a prefix the
    /// grammar rejects prunes every token below it. End-of-generation tokens are allowed when complete.
    /// </summary>
    private bool[] Mask()
    {
        if (_allowed is { } cached)
            return cached;
        var allowed = new bool[_spelling.Pieces.Length];
        var walk = new MaskWalk();
        Walk(TokenTrie.Root, walk.Intern(_matcher.Clone()), _pending, allowed, walk);
        if (IsComplete)
            foreach (int eog in _tokenizer.Vocabulary.EndOfGenerationTokens)
                if ((uint)eog < (uint)allowed.Length)
                    allowed[eog] = true;
        return _allowed = allowed;
    }

    /// <summary>
    /// Depth-first over the trie. Transitions are memoised per (state, code point) and equal states are
    /// interned, so inside e.g. a JSON string — where almost every character leads back to the same state —
    /// each character is matched once per step, not once per token that contains it.
    /// </summary>
    private void Walk(int node, GrammarMatcher matcher, byte[] pending, bool[] allowed, MaskWalk walk)
    {
        var trie = _spelling.Trie;
        for (int child = trie.FirstChild(node); child >= 0; child = trie.NextSibling(child))
        {
            byte b = trie.Label(child);
            GrammarMatcher? next = matcher;
            byte[] rest;
            if (pending.Length == 0 && b < 0x80)
            {
                next = walk.Step(matcher, b);
                rest = [];
            }
            else
            {
                rest = [.. pending, b];
                int length = SequenceLength(rest[0]);
                if (length == 0 || (rest.Length > 1 && (b & 0xC0) != 0x80))
                    continue;
                if (rest.Length == length)
                {
                    int cp = Decode(rest);
                    next = cp < MinimumOf(length) || cp > 0x10FFFF || cp is >= 0xD800 and <= 0xDFFF ? null : walk.Step(matcher, cp);
                    rest = [];
                }
                else
                {
                    var (low, high) = Completions(rest, length);
                    if (low > high || !matcher.AllowsAnyIn(low, high))
                        continue;
                }
            }
            if (next is null)
                continue;
            foreach (int token in trie.TokensAt(child))
                allowed[token] = true;
            Walk(child, next, rest, allowed, walk);
        }
    }

    /// <summary>The memo of one mask computation.</summary>
    private sealed class MaskWalk
    {
        private readonly Dictionary<(GrammarMatcher, int), GrammarMatcher?> _transitions = [];
        private readonly Dictionary<int, List<GrammarMatcher>> _states = [];

        public GrammarMatcher? Step(GrammarMatcher from, int codePoint)
        {
            if (_transitions.TryGetValue((from, codePoint), out var known))
                return known;
            var next = from.Clone();
            var result = next.Accept(codePoint) ? Intern(next) : null;
            _transitions[(from, codePoint)] = result;
            return result;
        }

        public GrammarMatcher Intern(GrammarMatcher state)
        {
            int hash = state.StateHash();
            if (!_states.TryGetValue(hash, out var bucket))
                _states[hash] = bucket = [];
            foreach (var existing in bucket)
                if (existing.SameStateAs(state))
                    return existing;
            bucket.Add(state);
            return state;
        }
    }

    /// <summary>Moves the grammar past the token that was picked.</summary>
    public void Accept(int token)
    {
        if (_tokenizer.Vocabulary.IsEndOfGeneration(token))
            return;
        var matcher = _matcher.Clone();
        if (!Advance(matcher, _pending, _spelling.Pieces[token], out byte[] pending))
            throw new GrammarException($"Token {token} does not continue the output within the grammar.");
        _matcher = matcher;
        _pending = pending;
        _allowed = null;
    }

    /// <summary>Feeds pending + piece as UTF-8 into the matcher; the bytes of an unfinished last character come back.</summary>
    private static bool Advance(GrammarMatcher matcher, byte[] pending, byte[] piece, out byte[] rest)
    {
        rest = [];
        Span<byte> bytes = stackalloc byte[pending.Length + piece.Length];
        pending.CopyTo(bytes);
        piece.CopyTo(bytes[pending.Length..]);
        int i = 0;
        while (i < bytes.Length)
        {
            int length = SequenceLength(bytes[i]);
            if (length == 0)
                return false; // a stray continuation byte or an invalid lead byte
            if (i + length > bytes.Length)
            {
                rest = bytes[i..].ToArray();
                for (int k = 1; k < rest.Length; k++)
                    if ((rest[k] & 0xC0) != 0x80)
                        return false;
                var (low, high) = Completions(rest, length);
                return low <= high && matcher.AllowsAnyIn(low, high);
            }
            int cp = Decode(bytes.Slice(i, length));
            if (cp < MinimumOf(length) || cp > 0x10FFFF || cp is >= 0xD800 and <= 0xDFFF || !matcher.Accept(cp))
                return false;
            i += length;
        }
        return true;
    }

    private static int SequenceLength(byte lead) => lead switch
    {
        < 0x80 => 1,
        >= 0xC2 and < 0xE0 => 2,
        >= 0xE0 and < 0xF0 => 3,
        >= 0xF0 and < 0xF5 => 4,
        _ => 0,
    };

    private static int Decode(ReadOnlySpan<byte> s)
    {
        if (s.Length == 1)
            return s[0];
        int cp = s[0] & (0xFF >> (s.Length + 1));
        for (int k = 1; k < s.Length; k++)
        {
            if ((s[k] & 0xC0) != 0x80)
                return -1;
            cp = (cp << 6) | (s[k] & 0x3F);
        }
        return cp;
    }

    /// <summary>The smallest code point a sequence of this length may encode (shorter would be an overlong form).</summary>
    private static int MinimumOf(int length) => length switch { 1 => 0, 2 => 0x80, 3 => 0x800, _ => 0x10000 };

    /// <summary>The range of code points whose (valid, shortest) UTF-8 form starts with <paramref name="prefix"/>; empty when none does.</summary>
    private static (int Low, int High) Completions(byte[] prefix, int length)
    {
        Span<byte> low = stackalloc byte[length], high = stackalloc byte[length];
        for (int k = 0; k < length; k++)
        {
            low[k] = k < prefix.Length ? prefix[k] : (byte)0x80;
            high[k] = k < prefix.Length ? prefix[k] : (byte)0xBF;
        }
        return (Math.Max(Decode(low), MinimumOf(length)), Math.Min(Decode(high), 0x10FFFF));
    }
}
