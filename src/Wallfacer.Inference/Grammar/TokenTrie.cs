namespace Wallfacer.Inference.Grammar;

/// <summary>
/// The vocabulary's token byte strings as a trie, built once per tokenizer: a grammar step walks it with the
/// matcher, so a prefix shared by thousands of tokens is matched once and a dead prefix prunes its whole
/// subtree. Compact arrays (first child / next sibling / byte label), not objects per node.
/// </summary>
internal sealed class TokenTrie
{
    private readonly List<int> _firstChild = [-1];
    private readonly List<int> _nextSibling = [-1];
    private readonly List<byte> _label = [0];
    private readonly List<int> _firstToken = [-1];
    private readonly int[] _nextToken;

    public TokenTrie(IReadOnlyList<byte[]?> pieces)
    {
        _nextToken = new int[pieces.Count];
        Array.Fill(_nextToken, -1);
        for (int token = 0; token < pieces.Count; token++)
        {
            if (pieces[token] is not { Length: > 0 } bytes)
                continue;
            int node = 0;
            foreach (byte b in bytes)
                node = Child(node, b);
            _nextToken[token] = _firstToken[node];
            _firstToken[node] = token;
        }
    }

    public const int Root = 0;

    public int NodeCount => _label.Count;

    public int FirstChild(int node) => _firstChild[node];

    public int NextSibling(int node) => _nextSibling[node];

    public byte Label(int node) => _label[node];

    /// <summary>The tokens whose bytes end exactly at <paramref name="node"/>.</summary>
    public IEnumerable<int> TokensAt(int node)
    {
        for (int t = _firstToken[node]; t >= 0; t = _nextToken[t])
            yield return t;
    }

    private int Child(int node, byte b)
    {
        for (int c = _firstChild[node]; c >= 0; c = _nextSibling[c])
        {
            if (_label[c] == b)
                return c;
        }
        int child = _label.Count;
        _label.Add(b);
        _firstChild.Add(-1);
        _firstToken.Add(-1);
        _nextSibling.Add(_firstChild[node]);
        _firstChild[node] = child;
        return child;
    }
}
