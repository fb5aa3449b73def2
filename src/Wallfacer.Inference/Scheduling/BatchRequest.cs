using System.Diagnostics;
using System.Threading.Channels;
using Wallfacer.Inference.Engine;

namespace Wallfacer.Inference.Scheduling;

/// <summary>
/// One request submitted to a <see cref="BatchScheduler"/>: read its tokens from <see cref="Steps"/> as
/// they are generated; counts and timings are final once <see cref="Completion"/> has finished. Cancel the
/// token given to <see cref="BatchScheduler.Submit"/> to stop it and free its slot.
/// </summary>
public sealed class BatchRequest
{
    private readonly Channel<TokenStep> _steps = Channel.CreateUnbounded<TokenStep>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    internal BatchRequest(IReadOnlyList<int> promptTokens, GenerationOptions options, TokenPicker picker, CancellationToken cancellationToken)
    {
        PromptTokens = promptTokens;
        Options = options;
        Picker = picker;
        CancellationToken = cancellationToken;
    }

    public IReadOnlyList<int> PromptTokens { get; }

    /// <summary>Prompt tokens reused from the slot's cache.</summary>
    public int CachedPromptTokens { get; internal set; }

    public int GeneratedTokenCount => Picker.Generated;

    public FinishReason FinishReason => Picker.FinishReason;

    public ulong Seed => Picker.Seed;

    /// <summary>How sure the model was of the tokens it picked.</summary>
    public GenerationConfidence Confidence => Picker.Confidence;

    /// <summary>The generated text, stop strings excluded.</summary>
    public string Text => Picker.Text;

    /// <summary>Time spent waiting for a slot.</summary>
    public TimeSpan QueueTime { get; private set; }

    /// <summary>Time from getting a slot to the first token's logits.</summary>
    public TimeSpan PromptTime { get; private set; }

    /// <summary>Time from the first token to the end.</summary>
    public TimeSpan GenerationTime { get; private set; }

    /// <summary>The generated tokens, as they come.</summary>
    public IAsyncEnumerable<TokenStep> Steps(CancellationToken cancellationToken = default) => _steps.Reader.ReadAllAsync(cancellationToken);

    /// <summary>Completes when generation has ended; faults or is cancelled as the request was.</summary>
    public Task Completion => _completion.Task;

    internal GenerationOptions Options { get; }
    internal TokenPicker Picker { get; }
    internal CancellationToken CancellationToken { get; }
    internal int PendingToken { get; set; } = -1;

    internal void MarkStarted()
    {
        QueueTime = _clock.Elapsed;
        _clock.Restart();
    }

    internal void MarkPromptDone()
    {
        PromptTime = _clock.Elapsed;
        _clock.Restart();
    }

    internal void Emit(TokenStep step) => _steps.Writer.TryWrite(step);

    internal void Complete()
    {
        GenerationTime = _clock.Elapsed;
        _steps.Writer.TryComplete();
        _completion.TrySetResult();
    }

    internal void Fail(Exception error)
    {
        GenerationTime = _clock.Elapsed;
        _steps.Writer.TryComplete(error);
        if (error is OperationCanceledException oce)
            _completion.TrySetCanceled(oce.CancellationToken);
        else
            _completion.TrySetException(error);
    }
}
