using Wallfacer.Tokenizers.Unicode;

namespace Wallfacer.Tokenizers.PreTokenizers;

/// <summary>
/// Reads codepoints and categories inside one chunk; outside it every read yields "nothing"
/// (<see cref="OutOfRange"/> / <see cref="CategoryFlags.None"/>), as llama.cpp's _get_cpt/_get_flags do.
/// Also emits tokens (lengths) that end at a position.
/// </summary>
internal ref struct ChunkCursor
{
    public const int OutOfRange = -1;

    private readonly ReadOnlySpan<int> _cpts;
    private readonly List<int> _result;
    private int _previousEnd;

    public ChunkCursor(ReadOnlySpan<int> cpts, int start, int end, List<int> result)
    {
        _cpts = cpts;
        Start = start;
        End = end;
        _result = result;
        _previousEnd = start;
    }

    public int Start { get; }

    public int End { get; }

    public readonly int Cpt(int pos) => pos >= Start && pos < End ? _cpts[pos] : OutOfRange;

    public readonly CategoryFlags Flags(int pos) => pos >= Start && pos < End ? CodepointCategories.Of(_cpts[pos]) : CategoryFlags.None;

    public readonly bool IsWhitespace(int pos) => pos >= Start && pos < End && CodepointCategories.IsWhitespace(_cpts[pos]);

    public readonly bool IsLetter(int pos) => (Flags(pos) & CategoryFlags.Letter) != 0;

    public readonly bool IsNumber(int pos) => (Flags(pos) & CategoryFlags.Number) != 0;

    /// <summary>[^\s\p{L}\p{N}] as llama.cpp tests it: defined, not whitespace, letter or number.</summary>
    public readonly bool IsOther(int pos)
    {
        var f = Flags(pos);
        return f != CategoryFlags.None && !IsWhitespace(pos) && (f & (CategoryFlags.Letter | CategoryFlags.Number)) == 0;
    }

    /// <summary>Emits the token from the previous end to <paramref name="end"/>; returns its length.</summary>
    public int AddToken(int end)
    {
        int length = end - _previousEnd;
        if (length > 0)
            _result.Add(length);
        _previousEnd = end;
        return length;
    }
}
