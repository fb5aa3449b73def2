using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Wallfacer.Inference.Engine;

/// <summary>
/// One generation over a session: evaluate the prompt (reusing the cached prefix when asked), then sample,
/// detokenize whole UTF-8 characters, watch for stop strings and stop at end-of-generation, max tokens or a
/// full context. Counts and timings are readable while and after the steps are consumed, which is what
/// streaming callers need for usage reports. Enumerate <see cref="Steps"/> once.
/// </summary>
public sealed class GenerationRun
{
    private readonly InferenceSession _session;
    private readonly GenerationOptions _options;
    private readonly TokenPicker _picker;
    private readonly Stopwatch _clock = new();
    private readonly int[] _next = new int[1];
    private bool _started;

    internal GenerationRun(InferenceSession session, IReadOnlyList<int> promptTokens, GenerationOptions options)
    {
        if (promptTokens.Count == 0)
            throw new ArgumentException("The prompt is empty: it produced no tokens.", nameof(promptTokens));
        _session = session;
        _options = options;
        _picker = new TokenPicker(session.Model.Tokenizer, session.VocabSize, options, promptTokens);
        PromptTokens = promptTokens;
    }

    /// <summary>The prompt as tokens (with <see cref="GenerationOptions.ReuseCachedPrefix"/>, the whole sequence).</summary>
    public IReadOnlyList<int> PromptTokens { get; }

    /// <summary>Prompt tokens whose keys and values were already in the session and were not evaluated again.</summary>
    public int CachedPromptTokens { get; private set; }

    /// <summary>Tokens generated so far (end-of-generation included when it ended the run).</summary>
    public int GeneratedTokenCount => _picker.Generated;

    /// <summary>Why the run ended; meaningful once the steps are exhausted.</summary>
    public FinishReason FinishReason => _picker.FinishReason;

    /// <summary>Time to evaluate the (uncached part of the) prompt.</summary>
    public TimeSpan PromptTime { get; private set; }

    /// <summary>Time spent generating after the prompt.</summary>
    public TimeSpan GenerationTime => _clock.Elapsed;

    /// <summary>The seed the sampler drew with (replay a run by passing it back).</summary>
    public ulong Seed => _picker.Seed;

    /// <summary>How sure the model was of the tokens it picked (mean/min log-probability, mean entropy).</summary>
    public GenerationConfidence Confidence => _picker.Confidence;

    /// <summary>The text generated so far, stop strings excluded.</summary>
    public string Text => _picker.Text;

    /// <summary>The tokens, one step at a time, computed on the caller's thread.</summary>
    public IEnumerable<TokenStep> Steps(CancellationToken cancellationToken = default)
    {
        if (_started)
            throw new InvalidOperationException("A generation run can be enumerated only once.");
        _started = true;
        return Run(cancellationToken);
    }

    /// <summary>The streaming form; each token is computed on the thread pool so the caller's thread stays free.</summary>
    public async IAsyncEnumerable<TokenStep> StepsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var steps = Steps(cancellationToken).GetEnumerator();
        while (await Task.Run(steps.MoveNext, cancellationToken).ConfigureAwait(false))
            yield return steps.Current;
    }

    private IEnumerable<TokenStep> Run(CancellationToken ct)
    {
        EvaluatePrompt(ct);
        _clock.Restart();
        try
        {
            if (_picker.NothingToDo)
                yield break;
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                bool contextFull = _session.Cache.Length >= _session.ContextLength;
                var step = _picker.Pick(_session.LastLogits, contextFull, out int next);
                if (step is not null)
                    yield return step;
                if (_picker.IsFinished)
                    break;
                _next[0] = next;
                _session.Evaluate(_next, ct);
            }
            if (_picker.FinishReason == FinishReason.MaxTokens && _picker.Tail() is { } tail)
                yield return tail;
        }
        finally
        {
            _clock.Stop();
        }
    }

    /// <summary>
    /// Evaluates the prompt. With the prompt cache on, the session keeps its longest common prefix with the
    /// prompt and only the rest is evaluated; at least one token is always evaluated, for fresh logits.
    /// </summary>
    private void EvaluatePrompt(CancellationToken ct)
    {
        var prompt = PromptTokens as int[] ?? PromptTokens.ToArray();
        int start = 0;
        if (_options.ReuseCachedPrefix)
        {
            start = Math.Min(_session.CommonPrefixLength(prompt), prompt.Length - 1);
            _session.Rewind(start);
        }
        CachedPromptTokens = start;
        _clock.Restart();
        _session.Evaluate(prompt.AsSpan(start), ct);
        PromptTime = _clock.Elapsed;
    }
}
