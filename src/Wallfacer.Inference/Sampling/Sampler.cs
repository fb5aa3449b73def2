namespace Wallfacer.Inference.Sampling;

/// <summary>
/// Picks each next token of one sequence: copies the logits into a preallocated
/// <see cref="CandidateBuffer"/>, runs the processors in order, and lets one selector choose.
/// Built from <see cref="SamplerOptions"/> in llama.cpp's default order (common/sampling.cpp,
/// <c>common_sampler_init</c>): [constraints] → penalties → top-k → top-p → min-p → temperature → draw;
/// with temperature ≤ 0: [constraints] → penalties → argmax (the other stages never remove the top token).
/// </summary>
/// <remarks>
/// One sampler per sequence; not thread-safe. After construction, <see cref="Sample"/> and
/// <see cref="Accept(int)"/> allocate nothing. A seed gives the same tokens on every OS, CPU and
/// thread count (<see cref="Xoshiro256StarStar"/>, <see cref="PortableMath"/>, rank ties broken by token id).
/// </remarks>
public sealed class Sampler
{
    private readonly CandidateBuffer _candidates;
    private readonly TokenHistory _history;
    private readonly ILogitsProcessor[] _processors;
    private readonly ITokenSelector _selector;
    // True when every stage is a no-op on raw logits (temperature 1, no filters, no bias or constraints), except
    // the penalties, which are one while the history is empty: then the selector can read the caller's logits
    // directly instead of a copy of all of them.
    private readonly bool _stagesIdleUnlessPenalized;
    // > 0 when top-k is the first stage that can act (nothing but the penalties before it) and small enough for a
    // heap: then only the best k logits are copied into the buffer instead of the whole vocabulary.
    private readonly int _leadingTopK;

    /// <summary>Creates a sampler for a vocabulary of <paramref name="vocabSize"/> tokens.</summary>
    /// <exception cref="ArgumentException">An option is invalid (see <see cref="SamplerOptions.Validate"/>).</exception>
    public Sampler(SamplerOptions options, int vocabSize)
        : this(options, vocabSize, [])
    {
    }

    /// <summary>
    /// Creates a sampler whose pipeline starts with <paramref name="constraints"/> (e.g. a grammar),
    /// applied before every other stage.
    /// </summary>
    public Sampler(SamplerOptions options, int vocabSize, IEnumerable<ILogitsProcessor> constraints)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(constraints);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        options.Validate();

        Options = options;
        VocabularySize = vocabSize;
        Seed = options.Seed ?? (ulong)Random.Shared.NextInt64(long.MinValue, long.MaxValue);
        _candidates = new CandidateBuffer(vocabSize);
        _history = new TokenHistory(vocabSize, options.HasPenalties ? options.PenaltyLastN : 0);
        ILogitsProcessor[] bias = options.LogitBias.Count > 0 ? [new LogitBiasProcessor(options.LogitBias)] : [];
        _processors = [.. bias, .. constraints, .. BuildProcessors(options)];
        _selector = options.IsGreedy ? new GreedySelector() : new DistributionSelector(Seed);
        _stagesIdleUnlessPenalized = Array.TrueForAll(_processors, p => p is PenaltiesProcessor or TemperatureProcessor { Temperature: 1f });
        int firstActive = Array.FindIndex(_processors, p => p is not PenaltiesProcessor);
        if (firstActive >= 0 && _processors[firstActive] is TopKProcessor topK && topK.K <= vocabSize / 16) _leadingTopK = topK.K;
    }

    /// <summary>The options this sampler was built from.</summary>
    public SamplerOptions Options { get; }

    /// <summary>The vocabulary size; <see cref="Sample"/> expects exactly this many logits.</summary>
    public int VocabularySize { get; }

    /// <summary>The seed in use: the one given, or the one picked at random — pass it back to replay a run.</summary>
    public ulong Seed { get; }

    /// <summary>The recent accepted tokens the penalties look at.</summary>
    public TokenHistory History => _history;

    /// <summary>
    /// Chooses the next token from raw logits. The caller's span is not modified. The token is not
    /// added to the history: call <see cref="Accept(int)"/> with it (as llama.cpp's
    /// <c>common_sampler_sample</c> / <c>common_sampler_accept</c> split).
    /// </summary>
    /// <exception cref="ArgumentException">Wrong length, or a logit is NaN or +∞.</exception>
    /// <exception cref="InvalidOperationException">Every token is masked (−∞).</exception>
    public int Sample(ReadOnlySpan<float> logits)
    {
        if (ReadsLogitsDirectly) return SampleDirectly(logits, wantStatistics: false, out _);
        Process(logits);
        return _selector.Select(_candidates);
    }

    /// <summary>
    /// <see cref="Sample(ReadOnlySpan{float})"/>, also returning the statistics of the raw
    /// <paramref name="logits"/> (for the token's log-probability and the step's entropy, as
    /// <see cref="Logprobs.Statistics"/> computes them, bit for bit). When the draw is over the raw logits
    /// (temperature 1, no filters) its exponent pass is shared; otherwise one more pass is made.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong length, or a logit is NaN or +∞.</exception>
    /// <exception cref="InvalidOperationException">Every token is masked (−∞).</exception>
    public int Sample(ReadOnlySpan<float> logits, out LogitStatistics statistics)
    {
        if (ReadsLogitsDirectly) return SampleDirectly(logits, wantStatistics: true, out statistics);
        Process(logits);
        int token = _selector.Select(_candidates);
        statistics = Logprobs.Statistics(logits);
        return token;
    }

    /// <summary>True when this step's pipeline leaves the logits as they are, so the selector can read them in place.</summary>
    private bool ReadsLogitsDirectly => _stagesIdleUnlessPenalized && _history.Count == 0;

    /// <summary>The selector's choice over the caller's logits, with the checks <see cref="CandidateBuffer.Load"/> makes.</summary>
    private int SampleDirectly(ReadOnlySpan<float> logits, bool wantStatistics, out LogitStatistics statistics)
    {
        float max = _candidates.CheckedMax(logits);
        if (_selector is DistributionSelector distribution) return distribution.SelectFromLogits(logits, max, wantStatistics, out statistics);

        int token = GreedySelector.SelectFromLogits(logits, max);
        statistics = default;
        if (wantStatistics)
        {
            (double total, double weighted) = SoftmaxSums.SumExpAndWeighted(logits, max); // the maximum is shared
            statistics = new LogitStatistics(max, total, weighted);
        }

        return token;
    }

    /// <summary>Runs every processor on the logits and returns what is left for the selector (for tests).</summary>
    internal CandidateBuffer Process(ReadOnlySpan<float> logits)
    {
        // With nothing active before top-k, loading its k survivors is the same as loading all and cutting (the
        // top-k stage then finds its work done).
        if (_leadingTopK > 0 && (!Options.HasPenalties || _history.Count == 0)) _candidates.LoadTop(logits, _leadingTopK);
        else _candidates.Load(logits);
        foreach (ILogitsProcessor processor in _processors)
        {
            processor.Process(_candidates, _history);
        }

        return _candidates;
    }

    /// <summary>
    /// Adds a token to the penalty history. Like llama.cpp (tools/completion and tools/server call
    /// <c>common_sampler_accept</c> for every prompt token before generating), accept the prompt's
    /// tokens too, then each generated token, so the penalties see the prompt's last N tokens.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The token is not in [0, vocabulary size).</exception>
    public void Accept(int token) => _history.Accept(token);

    /// <summary>Accepts several tokens in order (typically the prompt).</summary>
    public void Accept(ReadOnlySpan<int> tokens)
    {
        foreach (int token in tokens) _history.Accept(token);
    }

    /// <summary>Forgets the history and restarts the random stream from <see cref="Seed"/>: the next run replays the first.</summary>
    public void Reset()
    {
        _history.Clear();
        if (_selector is DistributionSelector distribution) distribution.Reseed(Seed);
    }

    private static List<ILogitsProcessor> BuildProcessors(SamplerOptions options)
    {
        var stages = new List<ILogitsProcessor>();
        if (options.HasPenalties)
        {
            stages.Add(new PenaltiesProcessor(options.RepetitionPenalty, options.FrequencyPenalty, options.PresencePenalty));
        }

        if (options.IsGreedy) return stages;
        if (options.TopK > 0) stages.Add(new TopKProcessor(options.TopK));
        if (options.TopP < 1f) stages.Add(new TopPProcessor(options.TopP));
        if (options.MinP > 0f) stages.Add(new MinPProcessor(options.MinP));
        stages.Add(new TemperatureProcessor(options.Temperature));
        return stages;
    }
}
