namespace Wallfacer.Inference.Grammar;

/// <summary>
/// The grammar's states lifted to bytes for the token-trie walk: a byte state is a grammar state plus the bytes of a
/// character read so far (<see cref="Utf8Partial"/>), and each has a lazily filled row of 256 successors, so the walk
/// costs one array read per trie edge once a row is known. A pure cache over <see cref="GrammarStacks"/>: it may be
/// dropped between walks to bound memory.
/// </summary>
internal sealed class ByteStates(GrammarStacks stacks)
{
    /// <summary>Rows kept before the table is dropped (each 1 KiB).</summary>
    public const int MaxRows = 8192;

    /// <summary>The successor of a byte that no continuation accepts.</summary>
    public const int Dead = -1;

    private readonly Dictionary<(int State, Utf8Partial Partial), int> _ids = [];
    private readonly List<(int State, Utf8Partial Partial)> _keys = [];
    private int[][] _rows = new int[64][]; // (byte states, 256): successor + 2; 0 = not computed yet, 1 = dead

    public int Count => _keys.Count;

    /// <summary>Forgets every row (between walks only: ids become invalid).</summary>
    public void Clear()
    {
        _ids.Clear();
        _keys.Clear();
        Array.Clear(_rows);
    }

    public int Get(int state, Utf8Partial partial)
    {
        if (_ids.TryGetValue((state, partial), out int id)) return id;
        id = _keys.Count;
        _keys.Add((state, partial));
        _ids[(state, partial)] = id;
        if (id == _rows.Length) Array.Resize(ref _rows, id * 2);
        _rows[id] = new int[256];
        return id;
    }

    /// <summary>The successor row of byte state <paramref name="id"/>: entry b is successor + 2, 1 = dead, 0 = call <see cref="Fill"/>.</summary>
    public int[] Row(int id) => _rows[id];

    /// <summary>Computes and stores the successor of <paramref name="b"/>; returns the row entry (successor + 2, or 1 = dead).</summary>
    public int Fill(int id, byte b)
    {
        int next = Compute(id, b);
        return _rows[id][b] = next + 2;
    }

    private int Compute(int id, byte b)
    {
        var (state, partial) = _keys[id];
        int cp = partial.Push(b, out Utf8Partial pending);
        if (cp == -2) return Dead;
        if (cp >= 0)
        {
            int after = stacks.Advance(state, cp);
            return after == GrammarStacks.Dead ? Dead : Get(after, Utf8Partial.None);
        }
        var (lo, hi) = pending.Range;
        return lo <= hi && stacks.CanAcceptAnyOf(state, lo, hi) ? Get(state, pending) : Dead;
    }
}
