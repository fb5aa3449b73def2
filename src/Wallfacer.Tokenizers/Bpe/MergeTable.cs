namespace Wallfacer.Tokenizers.Bpe;

/// <summary>
/// BPE merges as integers: every string that appears in a merge (either side or the result) gets a
/// symbol id, so a merge lookup is one dictionary probe on a packed (left, right) pair instead of
/// string building. Equivalent to llama.cpp's bpe_ranks map of string pairs.
/// </summary>
internal sealed class MergeTable
{
    private readonly Dictionary<string, int> _symbolIds;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _symbolIdsBySpan;
    private readonly Dictionary<long, (int Rank, int Result)> _merges;

    public MergeTable(IReadOnlyList<string> merges, Vocabulary vocabulary)
    {
        _symbolIds = new Dictionary<string, int>(merges.Count * 2, StringComparer.Ordinal);
        _symbolIdsBySpan = _symbolIds.GetAlternateLookup<ReadOnlySpan<char>>();
        _merges = new Dictionary<long, (int, int)>(merges.Count);
        var texts = new List<string>();
        for (int rank = 0; rank < merges.Count; rank++)
        {
            string merge = merges[rank] ?? throw new InvalidDataException($"BPE merge {rank} is null.");
            // llama.cpp splits at the first space after position 0; a merge without one maps ("", "").
            int space = merge.Length > 1 ? merge.IndexOf(' ', 1) : -1;
            string left = space < 0 ? "" : merge[..space];
            string right = space < 0 ? "" : merge[(space + 1)..];
            long key = Pack(Intern(left, texts), Intern(right, texts));
            // llama.cpp uses map::emplace: the first rank of a duplicated pair wins.
            _merges.TryAdd(key, (rank, Intern(left + right, texts)));
        }
        SymbolTexts = [.. texts];
        TokenOfSymbol = new int[SymbolTexts.Length];
        for (int i = 0; i < SymbolTexts.Length; i++)
            TokenOfSymbol[i] = vocabulary.FindOrMinusOne(SymbolTexts[i]);
    }

    /// <summary>Text of each symbol id.</summary>
    public string[] SymbolTexts { get; }

    /// <summary>Vocabulary id of each symbol id, or -1.</summary>
    public int[] TokenOfSymbol { get; }

    /// <summary>The symbol id of a text that occurs in some merge, or -1.</summary>
    public int SymbolOf(ReadOnlySpan<char> text) => _symbolIdsBySpan.TryGetValue(text, out int id) ? id : -1;

    /// <summary>Rank and resulting symbol of merging <paramref name="left"/> and <paramref name="right"/>.</summary>
    public bool TryGetMerge(int left, int right, out int rank, out int result)
    {
        if (left >= 0 && right >= 0 && _merges.TryGetValue(Pack(left, right), out var m))
        {
            rank = m.Rank;
            result = m.Result;
            return true;
        }
        rank = result = -1;
        return false;
    }

    private int Intern(string text, List<string> texts)
    {
        if (!_symbolIds.TryGetValue(text, out int id))
        {
            id = texts.Count;
            _symbolIds.Add(text, id);
            texts.Add(text);
        }
        return id;
    }

    private static long Pack(int left, int right) => ((long)left << 32) | (uint)right;
}
