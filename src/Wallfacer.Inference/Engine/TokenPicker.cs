using System.Text;
using Wallfacer.Inference.Sampling;
using Wallfacer.Tokenizers;

namespace Wallfacer.Inference.Engine;

/// <summary>
/// The per-request half of generation, independent of how logits are computed: given the logits after
/// the sequence so far, pick the next token (sampler), turn it into whole UTF-8 text (streaming decoder),
/// hold back a possible stop string, and say whether generation ends and why. <see cref="GenerationRun"/>
/// drives it from one session; a batch scheduler drives many in one forward pass.
/// </summary>
internal sealed class TokenPicker
{
    private readonly GenerationOptions _options;
    private readonly Sampler _sampler;
    private readonly ITokenizer _tokenizer;
    private readonly StreamingDecoder _decoder;
    private readonly StopStringMatcher _stops;
    private readonly StringBuilder _text = new();
    private ConfidenceAccumulator _confidence;
    private readonly Grammar.GrammarConstraint? _grammar;
    private readonly Sampler? _constrained;
    private readonly LazyGrammarTrigger? _trigger; // null when the grammar holds from the start (or there is none)
    private bool _grammarActive;

    public TokenPicker(ITokenizer tokenizer, int vocabSize, GenerationOptions options, IReadOnlyList<int> promptTokens)
    {
        options.Validate();
        _options = options;
        _tokenizer = tokenizer;
        var constraints = new List<ILogitsProcessor>();
        if (options.IgnoreEndOfGeneration)
            constraints.Add(new BanTokensProcessor(tokenizer.Vocabulary.EndOfGenerationTokens));
        _sampler = new Sampler(options.Sampling, vocabSize, constraints);
        if (options.Grammar is { } grammar)
        {
            // llama.cpp's order: sample freely, and only when that token breaks the grammar, mask the whole
            // vocabulary and sample again (the full mask costs a walk over every token's bytes).
            _grammar = new Grammar.GrammarConstraint(grammar, tokenizer, vocabSize, [.. options.ExtraEndTokens]);
            var seed = options.Sampling.Seed is ulong s ? s ^ 0x9E3779B97F4A7C15UL : (ulong?)null;
            _constrained = new Sampler(options.Sampling with { Seed = seed ?? _sampler.Seed ^ 0x9E3779B97F4A7C15UL }, vocabSize, [.. constraints, _grammar]);
            foreach (int t in promptTokens)
                _constrained.Accept(t);
            _grammarActive = !options.GrammarIsLazy;
            if (options.GrammarIsLazy)
                _trigger = new LazyGrammarTrigger(tokenizer, options.GrammarTriggers, options.GrammarTriggerTokens);
        }
        _decoder = new StreamingDecoder(tokenizer);
        _stops = new StopStringMatcher(options.StopStrings);
        foreach (int t in promptTokens)
            _sampler.Accept(t);
    }

    /// <summary>Tokens picked so far (end-of-generation included when it ended the run).</summary>
    public int Generated { get; private set; }

    /// <summary>Why generation ended (meaningful once <see cref="IsFinished"/>).</summary>
    public FinishReason FinishReason { get; private set; } = FinishReason.MaxTokens;

    public bool IsFinished { get; private set; }

    public ulong Seed => _sampler.Seed;

    /// <summary>How sure the model was of the tokens it picked, so far.</summary>
    public GenerationConfidence Confidence => _confidence.Result;

    public string Text => _text.ToString();

    /// <summary>True when no token should be picked at all (MaxTokens = 0).</summary>
    public bool NothingToDo => _options.MaxTokens == 0;

    /// <summary>
    /// Picks the token after <paramref name="logits"/>. Returns the step to report (null when nothing is
    /// to be reported); afterwards <see cref="IsFinished"/> says whether generation ended. When it has not,
    /// the caller must evaluate <see cref="TokenStep.Token"/> of the returned step to get the next logits.
    /// </summary>
    public TokenStep? Pick(ReadOnlySpan<float> logits, bool contextFull, out int tokenToEvaluate)
    {
        tokenToEvaluate = -1;
        // The raw logits' statistics come with the first draw: when it reads the raw logits (temperature 1, no
        // filters) its exponent pass is the one the log-probability and entropy need.
        int token = _sampler.Sample(logits, out LogitStatistics statistics);
        if (_grammarActive && !_grammar!.AllowsOne(token))
            token = _constrained!.Sample(logits);
        float logprob = statistics.LogSoftmaxAt(logits, token);
        _confidence.Add(logprob, statistics.Entropy);
        var top = TopOf(logits);
        _sampler.Accept(token);
        _constrained?.Accept(token);
        if (_grammarActive)
            _grammar!.Accept(token);
        Generated++;
        if (_tokenizer.Vocabulary.IsEndOfGeneration(token) || _options.ExtraEndTokens.Contains(token))
        {
            string rest = _stops.Push(_decoder.Flush()).Text + _stops.Flush();
            return Finish(FinishReason.EndOfGeneration, rest.Length > 0 ? new TokenStep(token, rest, logprob, top) : null, rest);
        }

        string piece = _decoder.Push(token);
        if (!_grammarActive && _trigger is not null)
            piece = WatchForTrigger(token, piece);
        var match = _stops.Push(piece);
        _text.Append(match.Text);
        var step = new TokenStep(token, match.Text, logprob, top);
        if (match.Stopped)
            return Finish(FinishReason.StopString, step, "");
        if (contextFull)
            return Finish(FinishReason.ContextFull, step, "");
        if (Generated >= _options.MaxTokens)
        {
            IsFinished = true;
            FinishReason = FinishReason.MaxTokens;
            return step;
        }
        tokenToEvaluate = token;
        return step;
    }

    /// <summary>
    /// Before a lazy grammar switches on: looks for a trigger in the output; when one appears, the grammar takes the
    /// text from the trigger on and holds from then. A trigger token's text is written into the output.
    /// </summary>
    private string WatchForTrigger(int token, string piece)
    {
        if (_trigger!.IsTriggerToken(token))
            piece += _decoder.Flush() + _tokenizer.Vocabulary.GetText(token);
        if (_trigger.Push(token) is { } fromTrigger)
        {
            _grammar!.AcceptText(fromTrigger);
            _grammarActive = true;
        }
        return piece;
    }

    /// <summary>Text still held back (a partial UTF-8 character or stop-string prefix) once generation ends by length.</summary>
    public TokenStep? Tail()
    {
        string tail = _stops.Push(_decoder.Flush()).Text + _stops.Flush();
        _text.Append(tail);
        return tail.Length > 0 ? new TokenStep(-1, tail, 0, null) : null;
    }

    private TokenStep? Finish(FinishReason reason, TokenStep? step, string appended)
    {
        _text.Append(appended);
        IsFinished = true;
        FinishReason = reason;
        return step;
    }

    private TokenLogprob[]? TopOf(ReadOnlySpan<float> logits)
    {
        if (_options.TopLogprobs == 0)
            return null;
        var top = new TokenLogprob[_options.TopLogprobs];
        Logprobs.TopK(logits, top);
        return top;
    }
}
