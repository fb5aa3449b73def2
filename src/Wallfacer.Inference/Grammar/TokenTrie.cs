using System.Runtime.CompilerServices;
using Wallfacer.Tokenizers;

namespace Wallfacer.Inference.Grammar;

/// <summary>
/// The vocabulary's token byte strings (llama_token_to_piece) as a byte trie, so a grammar mask matches a
/// prefix shared by many tokens once. Built once per tokenizer and cached. Control, unknown and unused
/// tokens, empty tokens, tokens starting with a NUL byte (llama.cpp's llama_grammar_apply_impl refuses those) and
/// end-of-generation tokens are left out (the constraint handles EOG itself).
/// </summary>
internal sealed class TokenTrie
{
    private static readonly ConditionalWeakTable<ITokenizer, TokenTrie> Cache = [];

    // Node 0 is the root. Children of a node are consecutive: [FirstChild, FirstChild + ChildCount).
    public readonly int[] FirstChild, ChildCount;  // (nodes)
    public readonly byte[] Label;                  // (nodes) the byte on the edge into the node
    public readonly int[] FirstToken, TokenCount;  // (nodes) tokens ending at the node, in Tokens
    public readonly int[] Tokens;                  // (tokens in the trie)
    private readonly byte[][] _bytes;              // (vocabulary) each token's bytes
    private readonly bool[] _inTrie;               // (vocabulary) whether a grammar may ever allow the token

    private TokenTrie(ITokenizer tokenizer)
    {
        Vocabulary vocab = tokenizer.Vocabulary;
        _bytes = new byte[vocab.Count][];
        _inTrie = new bool[vocab.Count];
        var ids = new List<int>(vocab.Count);
        const TokenAttributes excluded = TokenAttributes.Control | TokenAttributes.Unknown | TokenAttributes.Unused;
        for (int t = 0; t < vocab.Count; t++)
        {
            _bytes[t] = tokenizer.TokenBytes(t);
            if (_bytes[t].Length > 0 && _bytes[t][0] != 0 && (vocab.GetAttributes(t) & excluded) == 0 && !vocab.IsEndOfGeneration(t))
            {
                ids.Add(t);
                _inTrie[t] = true;
            }
        }
        ids.Sort((a, b) => _bytes[a].AsSpan().SequenceCompareTo(_bytes[b]) is var c && c != 0 ? c : a.CompareTo(b));
        Tokens = [.. ids];

        // Breadth-first: each node covers a run of the sorted tokens sharing its prefix.
        var first = new List<int>(); var count = new List<int>(); var label = new List<byte>();
        var firstToken = new List<int>(); var tokenCount = new List<int>();
        var queue = new Queue<(int Node, int Lo, int Hi, int Depth)>();
        first.Add(0); count.Add(0); label.Add(0); firstToken.Add(0); tokenCount.Add(0);
        queue.Enqueue((0, 0, Tokens.Length, 0));
        var depths = new List<int>();
        while (queue.Count > 0)
        {
            var (node, lo, hi, depth) = queue.Dequeue();
            depths.Add(depth);
            int i = lo;
            while (i < hi && _bytes[Tokens[i]].Length == depth) i++;
            firstToken[node] = lo;
            tokenCount[node] = i - lo;
            first[node] = label.Count;
            while (i < hi)
            {
                byte b = _bytes[Tokens[i]][depth];
                int j = i;
                while (j < hi && _bytes[Tokens[j]][depth] == b) j++;
                int child = label.Count;
                first.Add(0); count.Add(0); label.Add(b); firstToken.Add(0); tokenCount.Add(0);
                count[node]++;
                queue.Enqueue((child, i, j, depth + 1));
                i = j;
            }
        }
        var perDepth = new Dictionary<int, int>();
        foreach (var d in depths) perDepth[d] = perDepth.GetValueOrDefault(d) + 1;
        MaxLevelWidth = perDepth.Values.Max();
        FirstChild = [.. first]; ChildCount = [.. count]; Label = [.. label];
        FirstToken = [.. firstToken]; TokenCount = [.. tokenCount];
    }

    /// <summary>The trie for <paramref name="tokenizer"/>, built on first use.</summary>
    public static TokenTrie For(ITokenizer tokenizer) => Cache.GetValue(tokenizer, t => new TokenTrie(t));

    public int NodeCount => Label.Length;

    /// <summary>The most nodes at one depth (the widest level of a breadth-first walk).</summary>
    public int MaxLevelWidth { get; }

    public ReadOnlySpan<byte> BytesOf(int token) => _bytes[token];

    /// <summary>False for the tokens left out of the trie (no grammar allows them).</summary>
    public bool Contains(int token) => (uint)token < (uint)_inTrie.Length && _inTrie[token];
}
