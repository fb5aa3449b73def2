namespace Wallfacer.Inference.Sampling;

/// <summary>
/// The tokens still in the running for one sampling step, preallocated once for the vocabulary
/// (llama.cpp's <c>llama_token_data_array</c>). Processors narrow it (top-k, top-p, min-p) or edit
/// logits (penalties, temperature); a selector then picks one token from it.
/// </summary>
/// <remarks>
/// The buffer remembers what it knows about order so that work is not repeated:
/// <see cref="SortedCount"/> leading candidates are in final rank order and rank before all the
/// rest, and <see cref="IsVocabularyOrder"/> says candidate <c>i</c> is token <c>i</c> (just loaded,
/// nothing moved). No method allocates.
/// </remarks>
public sealed class CandidateBuffer
{
    private readonly TokenCandidate[] _items; // (capacity) — only [0, Count) is live

    /// <summary>Creates a buffer for a vocabulary of <paramref name="capacity"/> tokens.</summary>
    public CandidateBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _items = new TokenCandidate[capacity];
    }

    /// <summary>The vocabulary size this buffer was made for.</summary>
    public int Capacity => _items.Length;

    /// <summary>How many candidates are left.</summary>
    public int Count { get; private set; }

    /// <summary>How many leading candidates are known to be in rank order, ranking before all others.</summary>
    public int SortedCount { get; private set; }

    /// <summary>True while candidate <c>i</c> is token <c>i</c> for every token (nothing reordered or removed).</summary>
    public bool IsVocabularyOrder { get; private set; }

    /// <summary>The live candidates, read-only.</summary>
    public ReadOnlySpan<TokenCandidate> Candidates => _items.AsSpan(0, Count);

    /// <summary>
    /// Fills the buffer with one candidate per token from raw logits (copied; the caller's span is not modified).
    /// </summary>
    /// <exception cref="ArgumentException">The length is not <see cref="Capacity"/>, or a logit is NaN or +∞.</exception>
    public void Load(ReadOnlySpan<float> logits)
    {
        CheckedMax(logits);
        TokenCandidate[] items = _items;
        for (int i = 0; i < logits.Length; i++) items[i] = new TokenCandidate(i, logits[i]);

        Count = logits.Length;
        SortedCount = 0;
        IsVocabularyOrder = true;
    }

    /// <summary>
    /// <see cref="Load"/> followed by <see cref="SortTop"/>(<paramref name="count"/>) and
    /// <see cref="Truncate"/>(<paramref name="count"/>) — the same candidates in the same order — without copying the
    /// whole vocabulary first: the best <paramref name="count"/> are selected straight from the logits. For a top-k
    /// stage that comes first.
    /// </summary>
    /// <exception cref="ArgumentException">The length is not <see cref="Capacity"/>, or a logit is NaN or +∞.</exception>
    internal void LoadTop(ReadOnlySpan<float> logits, int count)
    {
        CheckedMax(logits);
        count = Math.Clamp(count, 0, logits.Length);
        Span<TokenCandidate> best = _items.AsSpan(0, count);
        CandidateSelection.SelectBest(logits, best);
        best.Sort();
        Count = count;
        SortedCount = count;
        IsVocabularyOrder = false;
    }

    /// <summary>
    /// The checks of <see cref="Load"/> without the copy: the largest logit as <see cref="MaxLogit"/> would find it
    /// after loading them (−∞ when all are masked).
    /// </summary>
    /// <exception cref="ArgumentException">The length is not <see cref="Capacity"/>, or a logit is NaN or +∞.</exception>
    internal float CheckedMax(ReadOnlySpan<float> logits)
    {
        if (logits.Length != _items.Length)
        {
            throw new ArgumentException(
                $"Expected {_items.Length} logits (the vocabulary size) but got {logits.Length}.", nameof(logits));
        }

        if (SoftmaxSums.TryMax(logits, out float max)) return max;
        int i = SoftmaxSums.IndexOfInvalid(logits);
        throw new ArgumentException(
            $"Logit of token {i} is {logits[i]}; logits must be finite or -infinity (a masked token).", nameof(logits));
    }

    /// <summary>
    /// The live candidates for in-place logit edits. Pass <paramref name="orderPreserved"/> = true only
    /// when the edit keeps every pair's rank order (e.g. dividing all logits by the same positive
    /// number); otherwise what the buffer knew about order is forgotten.
    /// </summary>
    public Span<TokenCandidate> EditLogits(bool orderPreserved)
    {
        if (!orderPreserved) SortedCount = 0;
        return _items.AsSpan(0, Count);
    }

    /// <summary>Keeps only the first <paramref name="count"/> candidates.</summary>
    public void Truncate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count >= Count) return;
        Count = count;
        SortedCount = Math.Min(SortedCount, count);
        IsVocabularyOrder = false;
    }

    /// <summary>
    /// Keeps, in their current relative order, only the candidates whose logit is at least
    /// <paramref name="minimumLogit"/>. Sorted-ness survives because the order is kept.
    /// </summary>
    public void RemoveBelow(double minimumLogit)
    {
        TokenCandidate[] items = _items;
        int kept = 0, sortedKept = 0;
        for (int i = 0; i < Count; i++)
        {
            if (items[i].Logit >= minimumLogit)
            {
                if (i < SortedCount) sortedKept++;
                items[kept++] = items[i];
            }
        }

        if (kept == Count) return;
        // A removed candidate inside the sorted prefix ranks before every later one, so everything after it went too.
        SortedCount = sortedKept;
        Count = kept;
        IsVocabularyOrder = false;
    }

    /// <summary>
    /// Moves the best <paramref name="count"/> candidates (by rank) to the front, in rank order, in
    /// O(Count + count log count) — a selection, not a full sort of the vocabulary.
    /// </summary>
    public void SortTop(int count)
    {
        count = Math.Min(count, Count);
        if (count <= SortedCount) return;

        Span<TokenCandidate> unsorted = _items.AsSpan(SortedCount, Count - SortedCount);
        int wanted = count - SortedCount;
        if (wanted < unsorted.Length) CandidateSelection.SelectBest(unsorted, wanted);
        unsorted[..wanted].Sort();

        SortedCount = count;
        IsVocabularyOrder = false;
    }

    /// <summary>The highest logit among the candidates (−∞ when empty).</summary>
    public float MaxLogit()
    {
        if (SortedCount > 0) return _items[0].Logit;
        float max = float.NegativeInfinity;
        foreach (ref readonly TokenCandidate c in Candidates)
        {
            if (c.Logit > max) max = c.Logit;
        }

        return max;
    }

    /// <summary>
    /// Writes the softmax of the candidates' logits into a vocabulary-indexed vector (0 for tokens no
    /// longer in the running): the distribution the selector would draw from. For tests and diagnostics.
    /// </summary>
    public void CopyProbabilitiesTo(Span<double> probabilitiesByToken)
    {
        if (probabilitiesByToken.Length != _items.Length)
        {
            throw new ArgumentException(
                $"Expected a span of {_items.Length} (the vocabulary size) but got {probabilitiesByToken.Length}.",
                nameof(probabilitiesByToken));
        }

        probabilitiesByToken.Clear();
        double max = MaxLogit();
        double total = 0;
        foreach (ref readonly TokenCandidate c in Candidates) total += PortableMath.Exp(c.Logit - max);
        foreach (ref readonly TokenCandidate c in Candidates)
        {
            probabilitiesByToken[c.Token] = PortableMath.Exp(c.Logit - max) / total;
        }
    }
}
