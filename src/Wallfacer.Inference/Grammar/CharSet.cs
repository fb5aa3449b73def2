namespace Wallfacer.Inference.Grammar;

/// <summary>
/// One terminal of a grammar: a set of code points given as inclusive ranges, possibly negated
/// (<c>[a-z]</c>, <c>[^"\\]</c>, a literal's single character, or <c>.</c> = negated empty set).
/// </summary>
internal sealed class CharSet
{
    private readonly int[] _ranges; // (count, 2): sorted, merged, inclusive [lo, hi] pairs

    public CharSet(IEnumerable<(int Lo, int Hi)> ranges, bool negated)
    {
        var merged = new List<int>();
        foreach (var (lo, hi) in ranges.Where(r => r.Lo <= r.Hi).OrderBy(r => r.Lo))
        {
            if (merged.Count > 0 && lo <= merged[^1] + 1)
                merged[^1] = Math.Max(merged[^1], hi);
            else
                merged.AddRange([lo, hi]);
        }
        _ranges = [.. merged];
        Negated = negated;
    }

    public static CharSet Single(int codePoint) => new([(codePoint, codePoint)], negated: false);

    public static CharSet Any { get; } = new([], negated: true);

    public bool Negated { get; }

    public bool Contains(int codePoint)
    {
        bool inRanges = false;
        for (int i = 0; i < _ranges.Length; i += 2)
        {
            if (codePoint < _ranges[i]) break;
            if (codePoint <= _ranges[i + 1]) { inRanges = true; break; }
        }
        return inRanges != Negated;
    }

    /// <summary>True when some code point in [<paramref name="lo"/>, <paramref name="hi"/>] is in the set.</summary>
    public bool Intersects(int lo, int hi)
    {
        if (!Negated)
        {
            for (int i = 0; i < _ranges.Length; i += 2)
            {
                if (_ranges[i] <= hi && lo <= _ranges[i + 1]) return true;
            }
            return false;
        }

        // The complement meets [lo, hi] unless the ranges cover all of it.
        int next = lo;
        for (int i = 0; i < _ranges.Length && next <= hi; i += 2)
        {
            if (_ranges[i + 1] < next) continue;
            if (_ranges[i] > next) return true;
            next = _ranges[i + 1] + 1;
        }
        return next <= hi;
    }

    public override string ToString()
    {
        var sb = new System.Text.StringBuilder(Negated ? "[^" : "[");
        for (int i = 0; i < _ranges.Length; i += 2)
        {
            sb.Append($"U+{_ranges[i]:X4}");
            if (_ranges[i + 1] != _ranges[i]) sb.Append($"-U+{_ranges[i + 1]:X4}");
            sb.Append(' ');
        }
        return sb.Append(']').ToString();
    }
}
