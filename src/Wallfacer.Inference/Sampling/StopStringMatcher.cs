namespace Wallfacer.Inference.Sampling;

/// <summary>
/// Finds stop strings in text that arrives in pieces (one per generated token), holding back any
/// tail that could still become a stop string, so the caller never emits part of one.
/// </summary>
/// <remarks>
/// <para>The stop that fires is the one that <em>completes first</em> in the text (earliest end); when
/// several end at the same place, the longest (it starts earliest). That is the moment generation
/// would halt token by token, and it makes the result independent of how the text was split into
/// pieces: emitted text + stop string is always a prefix of the concatenated pieces.</para>
/// <para>Matching is ordinal over UTF-16 code units. Pieces from the streaming detokenizer are whole
/// characters, and a held-back tail always starts where a stop string starts, so a surrogate pair is
/// never split between emitted and held-back text.</para>
/// </remarks>
public sealed class StopStringMatcher
{
    private readonly string[] _stops;
    private string _pending = "";
    private bool _stopped;

    /// <summary>Creates a matcher for <paramref name="stops"/> (may be empty: then text passes straight through).</summary>
    /// <exception cref="ArgumentException">A stop string is null or empty.</exception>
    public StopStringMatcher(IReadOnlyList<string> stops)
    {
        ArgumentNullException.ThrowIfNull(stops);
        _stops = new string[stops.Count];
        for (int i = 0; i < stops.Count; i++)
        {
            if (string.IsNullOrEmpty(stops[i]))
            {
                throw new ArgumentException($"Stop string #{i} is null or empty; every stop string needs at least one character.", nameof(stops));
            }

            _stops[i] = stops[i];
        }
    }

    /// <summary>The stop strings.</summary>
    public IReadOnlyList<string> Stops => _stops;

    /// <summary>True once a stop string has completed; later pushes emit nothing.</summary>
    public bool IsStopped => _stopped;

    /// <summary>Adds the next piece; returns what may be emitted now and whether a stop string completed.</summary>
    public StopMatch Push(string piece)
    {
        ArgumentNullException.ThrowIfNull(piece);
        if (_stopped) return new StopMatch("", true, null);

        string text = _pending + piece;
        (int stopStart, string? stop) = FindFirstCompleted(text);
        if (stop is not null)
        {
            _stopped = true;
            _pending = "";
            return new StopMatch(text[..stopStart], true, stop);
        }

        int holdFrom = text.Length - LongestSuffixThatStartsAStop(text);
        _pending = text[holdFrom..];
        return new StopMatch(text[..holdFrom], false, null);
    }

    /// <summary>At the end of generation: returns the held-back text (it can no longer become a stop string).</summary>
    public string Flush()
    {
        string rest = _pending;
        _pending = "";
        return rest;
    }

    /// <summary>Forgets held-back text and the stopped state, for a new generation.</summary>
    public void Reset()
    {
        _pending = "";
        _stopped = false;
    }

    /// <summary>The stop string that ends first in <paramref name="text"/> (longest on a tie) and where it starts.</summary>
    private (int Start, string? Stop) FindFirstCompleted(string text)
    {
        int bestEnd = int.MaxValue, bestStart = -1;
        string? best = null;
        foreach (string stop in _stops)
        {
            int start = text.IndexOf(stop, StringComparison.Ordinal); // the first occurrence ends first
            if (start < 0) continue;
            int end = start + stop.Length;
            if (end < bestEnd || (end == bestEnd && start < bestStart))
            {
                (bestEnd, bestStart, best) = (end, start, stop);
            }
        }

        return (bestStart, best);
    }

    /// <summary>The length of the longest suffix of <paramref name="text"/> that is a proper prefix of some stop string.</summary>
    private int LongestSuffixThatStartsAStop(string text)
    {
        int longest = 0;
        foreach (string stop in _stops)
        {
            for (int length = Math.Min(stop.Length - 1, text.Length); length > longest; length--)
            {
                if (text.AsSpan(text.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    longest = length;
                    break;
                }
            }
        }

        return longest;
    }
}
