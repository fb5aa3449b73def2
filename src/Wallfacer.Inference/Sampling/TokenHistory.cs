namespace Wallfacer.Inference.Sampling;

/// <summary>
/// The last N accepted tokens of a sequence and how often each occurs among them: the window the
/// repetition, frequency and presence penalties look at (llama.cpp's <c>ring_buffer prev</c> plus
/// <c>token_count</c> in src/llama-sampler.cpp). Preallocated; <see cref="Accept"/> is O(1).
/// </summary>
public sealed class TokenHistory
{
    private readonly int[] _window;        // (windowSize) ring buffer of the most recent tokens
    private readonly int[] _counts;        // (vocabSize) occurrences of each token in the window
    private readonly int[] _distinct;      // (min(vocabSize, windowSize)) the tokens with a non-zero count, unordered
    private readonly int[] _distinctIndex; // (vocabSize) where each present token sits in _distinct
    private int _start, _length, _distinctCount;

    /// <summary>Creates a history of the last <paramref name="windowSize"/> tokens (0 keeps nothing).</summary>
    public TokenHistory(int vocabSize, int windowSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        ArgumentOutOfRangeException.ThrowIfNegative(windowSize);
        VocabularySize = vocabSize;
        _window = new int[windowSize];
        _counts = new int[windowSize == 0 ? 0 : vocabSize];
        _distinct = new int[Math.Min(vocabSize, windowSize)];
        _distinctIndex = new int[windowSize == 0 ? 0 : vocabSize];
    }

    /// <summary>The number of tokens in the vocabulary.</summary>
    public int VocabularySize { get; }

    /// <summary>How many of the most recent tokens are remembered.</summary>
    public int WindowSize => _window.Length;

    /// <summary>How many tokens the window holds now (at most <see cref="WindowSize"/>).</summary>
    public int Count => _length;

    /// <summary>The distinct tokens in the window, in no particular order.</summary>
    public ReadOnlySpan<int> DistinctTokens => _distinct.AsSpan(0, _distinctCount);

    /// <summary>How many times <paramref name="token"/> occurs in the window.</summary>
    public int CountOf(int token) => _counts.Length == 0 || (uint)token >= (uint)_counts.Length ? 0 : _counts[token];

    /// <summary>Appends a token, forgetting the oldest one when the window is full.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The token is not in [0, vocabulary size).</exception>
    public void Accept(int token)
    {
        if ((uint)token >= (uint)VocabularySize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(token), token, $"Token id must be in [0, {VocabularySize}) for this vocabulary.");
        }

        if (_window.Length == 0) return;
        if (_length == _window.Length)
        {
            Decrement(_window[_start]);
            _window[_start] = token;
            _start = (_start + 1) % _window.Length;
        }
        else
        {
            _window[(_start + _length) % _window.Length] = token;
            _length++;
        }

        Increment(token);
    }

    /// <summary>Forgets every token.</summary>
    public void Clear()
    {
        foreach (int token in DistinctTokens) _counts[token] = 0;
        _start = _length = _distinctCount = 0;
    }

    private void Increment(int token)
    {
        if (_counts[token]++ == 0)
        {
            _distinctIndex[token] = _distinctCount;
            _distinct[_distinctCount++] = token;
        }
    }

    private void Decrement(int token)
    {
        if (--_counts[token] != 0) return;

        // Swap-remove from the distinct list, keeping the moved token's index current.
        int index = _distinctIndex[token];
        int last = _distinct[--_distinctCount];
        _distinct[index] = last;
        _distinctIndex[last] = index;
    }
}
