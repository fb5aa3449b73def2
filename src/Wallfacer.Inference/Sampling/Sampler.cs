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
        Process(logits);
        return _selector.Select(_candidates);
    }

    /// <summary>Runs every processor on the logits and returns what is left for the selector (for tests).</summary>
    internal CandidateBuffer Process(ReadOnlySpan<float> logits)
    {
        _candidates.Load(logits);
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
