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
    private static readonly ConditionalWeakTable<ITokenizer, byte[][]> PiecesByTokenizer = new();

    private readonly ITokenizer _tokenizer;
    private readonly byte[][] _pieces;
    private GrammarMatcher _matcher;
    private byte[] _pending = [];

    public GrammarConstraint(GbnfGrammar grammar, ITokenizer tokenizer)
    {
        _tokenizer = tokenizer;
        _pieces = PiecesByTokenizer.GetValue(tokenizer, BuildPieces);
        _matcher = grammar.CreateMatcher();
    }

    /// <summary>The output so far is a complete match.</summary>
    public bool IsComplete => _matcher.IsComplete && _pending.Length == 0;

    private static byte[][] BuildPieces(ITokenizer tokenizer) =>
        Enumerable.Range(0, tokenizer.Vocabulary.Count).Select(t => tokenizer.TokenBytes(t)).ToArray();

    public void Process(CandidateBuffer candidates, TokenHistory history)
    {
        var items = candidates.EditLogits(orderPreserved: false);
        bool any = false;
        for (int i = 0; i < items.Length; i++)
        {
            if (float.IsNegativeInfinity(items[i].Logit))
                continue;
            if (Allows(items[i].Token))
                any = true;
            else
                items[i].Logit = float.NegativeInfinity;
        }
        if (!any)
            throw new GrammarException("No token of the vocabulary can continue the output within the grammar.");
    }

    /// <summary>Whether <paramref name="token"/> may come next.</summary>
    public bool Allows(int token)
    {
        var vocabulary = _tokenizer.Vocabulary;
        if ((uint)token >= (uint)_pieces.Length)
            return false;
        if (vocabulary.IsEndOfGeneration(token))
            return IsComplete;
        if (vocabulary.IsControl(token) || _pieces[token].Length == 0)
            return false;
        return Advance(_matcher.Clone(), _pending, _pieces[token], out _);
    }

    /// <summary>Moves the grammar past the token that was picked.</summary>
    public void Accept(int token)
    {
        if (_tokenizer.Vocabulary.IsEndOfGeneration(token))
            return;
        var matcher = _matcher.Clone();
        if (!Advance(matcher, _pending, _pieces[token], out byte[] pending))
            throw new GrammarException($"Token {token} does not continue the output within the grammar.");
        _matcher = matcher;
        _pending = pending;
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
