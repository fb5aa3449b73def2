using Wallfacer.Models;
using Wallfacer.Models.Cache;
using Wallfacer.Numerics.Threading;

namespace Wallfacer.Inference.Engine;

/// <summary>
/// One sequence over a shared <see cref="LanguageModel"/>: its KV cache, activation buffers and threads.
/// Not thread-safe; run different conversations in different sessions.
/// </summary>
public sealed class InferenceSession : IDisposable
{
    private readonly ForwardState _state;
    private readonly WorkerPool _pool;
    private readonly bool _ownsPool;
    private readonly List<int> _tokens;

    /// <param name="model">The model the session runs.</param>
    /// <param name="options">Context, threads, micro-batch.</param>
    /// <param name="sharedPool">
    /// Threads lent by an owner that runs several sessions one after another on one thread (the batch scheduler):
    /// one set of workers instead of one per session, whose idle spinning would compete for the same cores.
    /// The session does not dispose it. Null: the session makes its own pool of <c>options.Threads</c>.
    /// </param>
    internal InferenceSession(LanguageModel model, SessionOptions options, WorkerPool? sharedPool = null)
    {
        options.Validate();
        Model = model;
        int context = options.ResolveContext(model.Config.TrainedContextLength);
        Cache = new KvCache(model.Config, context);
        _tokens = new List<int>(context); // sized once: appending a token never allocates
        int batch = Math.Min(options.BatchSize, context);
        _ownsPool = sharedPool is null;
        _pool = sharedPool ?? new WorkerPool(options.ResolveThreads());
        _state = new ForwardState(model.Config, batch, _pool.ThreadCount);
    }

    public LanguageModel Model { get; }

    /// <summary>The keys and values of the tokens seen so far.</summary>
    public KvCache Cache { get; }

    /// <summary>Positions this session can hold.</summary>
    public int ContextLength => Cache.Capacity;

    /// <summary>Tokens evaluated so far, in order.</summary>
    public IReadOnlyList<int> Tokens => _tokens;

    /// <summary>Threads the forward pass uses.</summary>
    public int ThreadCount => _pool.ThreadCount;

    /// <summary>Vocabulary size (length of a logits row).</summary>
    public int VocabSize => Model.Config.VocabSize;

    /// <summary>
    /// Appends <paramref name="tokens"/> to the sequence and returns the logits after the last one (valid until
    /// the next call). Long inputs run in micro-batches.
    /// </summary>
    public ReadOnlySpan<float> Evaluate(scoped ReadOnlySpan<int> tokens, CancellationToken cancellationToken = default)
    {
        if (tokens.IsEmpty)
            throw new ArgumentException("Nothing to evaluate.", nameof(tokens));
        EnsureRoom(tokens.Length);
        for (int start = 0; start < tokens.Length; start += _state.MaxBatch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = tokens.Slice(start, Math.Min(_state.MaxBatch, tokens.Length - start));
            Transformer.Forward(Model.Decoder, chunk, Cache, _state, _pool, LogitsFor.LastToken);
            foreach (int t in chunk)
                _tokens.Add(t);
        }
        return _state.Logits.AsSpan(0, VocabSize);
    }

    /// <summary>The logits after the last token of the last <see cref="Evaluate"/> call.</summary>
    public ReadOnlySpan<float> LastLogits => _state.Logits.AsSpan(0, VocabSize);

    /// <summary>
    /// Appends <paramref name="tokens"/> and hands the logits of every position to <paramref name="onLogits"/>
    /// (position index within <paramref name="tokens"/>, logits row valid during the call).
    /// </summary>
    public void EvaluateAll(ReadOnlySpan<int> tokens, LogitsCallback onLogits, CancellationToken cancellationToken = default) =>
        EvaluateRows(tokens, LogitsFor.AllTokens, onLogits, cancellationToken);

    /// <summary>
    /// Appends <paramref name="tokens"/> and hands every position's final-normed hidden state (the model's
    /// last layer, before the output projection) to <paramref name="onHidden"/>; used for embeddings.
    /// </summary>
    public void EvaluateHidden(ReadOnlySpan<int> tokens, LogitsCallback onHidden, CancellationToken cancellationToken = default) =>
        EvaluateRows(tokens, LogitsFor.HiddenStates, onHidden, cancellationToken);

    /// <summary>Runs <paramref name="tokens"/> in micro-batches and hands each position's output row to <paramref name="onRow"/>.</summary>
    private void EvaluateRows(ReadOnlySpan<int> tokens, LogitsFor rows, LogitsCallback onRow, CancellationToken cancellationToken)
    {
        EnsureRoom(tokens.Length);
        int width = rows == LogitsFor.HiddenStates ? Model.Config.EmbeddingLength : VocabSize;
        for (int start = 0; start < tokens.Length; start += _state.MaxBatch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = tokens.Slice(start, Math.Min(_state.MaxBatch, tokens.Length - start));
            Transformer.Forward(Model.Decoder, chunk, Cache, _state, _pool, rows);
            var output = rows == LogitsFor.HiddenStates ? _state.HiddenStates : _state.Logits;
            for (int t = 0; t < chunk.Length; t++)
            {
                _tokens.Add(chunk[t]);
                onRow(start + t, output.Slice(t * width, width));
            }
        }
    }

    /// <summary>Forgets every token after the first <paramref name="length"/> (to regenerate or reuse a prefix).</summary>
    public void Rewind(int length)
    {
        if ((uint)length > (uint)_tokens.Count)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"The session holds {_tokens.Count} tokens.");
        _tokens.RemoveRange(length, _tokens.Count - length);
        Cache.SetLength(length);
    }

    /// <summary>Records a token whose keys and values a batched forward pass already stored in <see cref="Cache"/>.</summary>
    internal void AppendBatchedToken(int token)
    {
        if (_tokens.Count >= Cache.Length)
            throw new InvalidOperationException("The cache and the token list disagree: the token was not evaluated for this session.");
        _tokens.Add(token);
    }

    /// <summary>How many leading tokens of <paramref name="tokens"/> the session already holds, in order.</summary>
    public int CommonPrefixLength(ReadOnlySpan<int> tokens)
    {
        int n = Math.Min(tokens.Length, _tokens.Count), i = 0;
        while (i < n && _tokens[i] == tokens[i])
            i++;
        return i;
    }

    /// <summary>Writes the tokens and KV cache to <paramref name="stream"/> (see <see cref="LoadState"/>).</summary>
    public void SaveState(Stream stream) => SessionStateFile.Save(this, stream);

    /// <summary>
    /// Replaces this session's tokens and KV cache with a state saved by <see cref="SaveState"/> over the same
    /// model; the next generation continues from it. A state from another model or a damaged file gives an
    /// <see cref="InvalidDataException"/> naming the offset, and leaves the session empty.
    /// </summary>
    public void LoadState(Stream stream, string? sourceName = null)
    {
        try
        {
            var tokens = SessionStateFile.Load(this, stream, sourceName ?? "session state");
            _tokens.AddRange(tokens);
            Cache.SetLength(tokens.Length);
        }
        catch
        {
            Reset();
            throw;
        }
    }

    /// <summary>Forgets everything.</summary>
    public void Reset() => Rewind(0);

    private void EnsureRoom(int count)
    {
        if (Cache.Length + count > Cache.Capacity)
            throw new ContextFullException(Cache.Length, count, Cache.Capacity);
    }

    public void Dispose()
    {
        if (_ownsPool)
            _pool.Dispose();
    }
}

/// <summary>Receives one row of logits; the span is only valid during the call.</summary>
public delegate void LogitsCallback(int position, ReadOnlySpan<float> logits);

/// <summary>Thrown when tokens would not fit in the session's context; nothing is silently dropped.</summary>
public sealed class ContextFullException(int used, int requested, int capacity)
    : InvalidOperationException($"The context is full: {used} tokens used + {requested} more exceed its {capacity} positions. " +
                                "Start a new session or raise the context length.")
{
    public int Used { get; } = used;
    public int Requested { get; } = requested;
    public int Capacity { get; } = capacity;
}
