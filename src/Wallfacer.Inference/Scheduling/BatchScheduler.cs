using Wallfacer.Inference.Engine;
using Wallfacer.Models;
using Wallfacer.Models.Cache;
using Wallfacer.Numerics.Threading;

namespace Wallfacer.Inference.Scheduling;

/// <summary>
/// Continuous batching over one model: up to <see cref="BatchSchedulerOptions.Slots"/> requests generate at
/// once and their decode steps run as one forward pass (<see cref="Transformer.ForwardSequences"/>), so the
/// weights are read once per step for all of them instead of once per request. A new request takes the free
/// slot holding the longest prefix of its prompt (the prompt cache) and evaluates the rest of its prompt: while
/// other requests are decoding, a short remainder (at most <see cref="BatchSchedulerOptions.PromptRideLength"/>
/// tokens) rides their decode steps, up to <see cref="BatchSchedulerOptions.PromptRideTokensPerStep"/> tokens per
/// step, as llama-server mixes prompt tokens into the decode batch (they then cost more rows of a pass that runs
/// anyway, and stall nobody); a longer one, or one with nobody
/// decoding, is evaluated one chunk per scheduler step in its own pass (so running requests keep streaming). Then
/// it joins the decode batch. Requests beyond the slots wait in order, up to <see cref="BatchSchedulerOptions.MaxQueue"/>.
/// One scheduler thread does all model work; callers only read channels. Thread-safe.
/// </summary>
public sealed class BatchScheduler : IDisposable
{
    private readonly LanguageModel _model;
    private readonly BatchSchedulerOptions _options;
    private readonly Slot[] _slots;
    private readonly ForwardState _decodeState;
    private readonly WorkerPool _decodePool;
    private readonly List<BatchRequest> _queue = []; // waiting, oldest first
    private readonly object _gate = new();
    private readonly Thread _thread;
    private readonly int[] _batchTokens;
    private readonly KvCache[] _batchCaches;
    private readonly Slot[] _batchSlots;
    private readonly bool[] _batchRiding; // the row is a prompt token riding the step, not a decoded token
    private readonly bool[] _batchWantsLogits; // a decoded token, or a riding prompt's last token
    private bool _stopping;
    private long _clock;

    public BatchScheduler(LanguageModel model, BatchSchedulerOptions? options = null)
    {
        _model = model;
        _options = options ?? new BatchSchedulerOptions();
        _options.Validate();
        // One pool for every slot's prompt passes and the batched decode steps: they all run on this scheduler's
        // thread, one after another, and a pool per slot would leave idle workers spinning against the busy ones.
        _decodePool = new WorkerPool(_options.Session.ResolveThreads());
        _slots = Enumerable.Range(0, _options.Slots).Select(_ => new Slot(model.CreateSession(_options.Session, _decodePool))).ToArray();
        // A step holds one row per decoding slot and up to PromptRideTokensPerStep riding prompt tokens (a prompt rides
        // only while another slot decodes, so never with one slot).
        int rows = _options.Slots + (_options.Slots > 1 && _options.PromptRideLength > 0 ? _options.PromptRideTokensPerStep : 0);
        _decodeState = new ForwardState(model.Config, rows, _decodePool.ThreadCount);
        _batchTokens = new int[rows];
        _batchCaches = new KvCache[rows];
        _batchSlots = new Slot[rows];
        _batchRiding = new bool[rows];
        _batchWantsLogits = new bool[rows];
        _thread = new Thread(Loop) { IsBackground = true, Name = "wallfacer-batch-scheduler" };
        _thread.Start();
    }

    /// <summary>Slots (requests that can generate at once).</summary>
    public int SlotCount => _slots.Length;

    /// <summary>Context length of each slot.</summary>
    public int ContextLength => _slots[0].Session.ContextLength;

    /// <summary>Requests holding a slot now.</summary>
    public int ActiveCount
    {
        get { lock (_gate) return _slots.Count(s => s.Request is not null); }
    }

    /// <summary>Requests waiting for a slot.</summary>
    public int QueueDepth
    {
        get { lock (_gate) return _queue.Count; }
    }

    /// <summary>
    /// Queues a generation from <paramref name="promptTokens"/> (the whole sequence: a slot's cached prefix is
    /// reused). Cancelling <paramref name="cancellationToken"/> stops it and frees its slot at the next step.
    /// </summary>
    /// <exception cref="QueueFullException">Every slot is busy and the queue is full.</exception>
    /// <exception cref="ContextFullException">The prompt alone does not fit in a slot's context.</exception>
    public BatchRequest Submit(IReadOnlyList<int> promptTokens, GenerationOptions options, CancellationToken cancellationToken = default)
    {
        if (promptTokens.Count == 0)
            throw new ArgumentException("The prompt is empty: it produced no tokens.", nameof(promptTokens));
        if (promptTokens.Count >= ContextLength)
            throw new ContextFullException(0, promptTokens.Count, ContextLength);
        var picker = new TokenPicker(_model.Tokenizer, _model.Config.VocabSize, options, promptTokens);
        var request = new BatchRequest(promptTokens.ToArray(), options, picker, cancellationToken);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            int freeSlots = _slots.Count(s => s.Request is null);
            if (_queue.Count >= freeSlots + _options.MaxQueue) // the queue may hold requests about to take free slots
                throw new QueueFullException(_options.MaxQueue);
            _queue.Add(request);
            Monitor.Pulse(_gate);
        }
        // A request cancelled while it waits leaves the queue at once (its reader sees the cancellation).
        cancellationToken.Register(() => Unqueue(request));
        return request;
    }

    private void Unqueue(BatchRequest request)
    {
        bool removed;
        lock (_gate)
            removed = _queue.Remove(request);
        if (removed)
            request.Fail(new OperationCanceledException(request.CancellationToken));
    }

    private void Loop()
    {
        while (true)
        {
            lock (_gate)
            {
                while (!_stopping && _queue.Count == 0 && _slots.All(s => s.Request is null))
                    Monitor.Wait(_gate);
                if (_stopping)
                    break;
                Admit();
            }
            DropCancelled();
            PrefillOneChunk();
            DecodeStep();
        }
        FailAll(new ObjectDisposedException(nameof(BatchScheduler), "The scheduler was shut down."));
    }

    /// <summary>Gives free slots to waiting requests, each the slot most likely to hold its prefix. Under the lock.</summary>
    private void Admit()
    {
        while (_queue.Count > 0 && _slots.Any(s => s.Request is null))
        {
            var request = _queue[0];
            _queue.RemoveAt(0);
            if (request.CancellationToken.IsCancellationRequested)
            {
                request.Fail(new OperationCanceledException(request.CancellationToken));
                continue;
            }
            var prompt = (int[])request.PromptTokens;
            var slot = _slots.Where(s => s.Request is null)
                .OrderByDescending(s => s.Session.CommonPrefixLength(prompt)).ThenBy(s => s.LastUsed).First();
            int keep = Math.Min(slot.Session.CommonPrefixLength(prompt), prompt.Length - 1);
            slot.Session.Rewind(keep);
            request.CachedPromptTokens = keep;
            request.MarkStarted();
            slot.Request = request;
            slot.PrefillCursor = keep;
            slot.LastUsed = ++_clock;
        }
    }

    private void DropCancelled()
    {
        foreach (var slot in _slots)
            if (slot.Request is { CancellationToken.IsCancellationRequested: true } request)
                Release(slot, () => request.Fail(new OperationCanceledException(request.CancellationToken)));
    }

    /// <summary>A slot whose request still has prompt tokens to evaluate.</summary>
    private static bool IsPrefilling(Slot slot) =>
        slot.Request is { PendingToken: < 0, Picker.IsFinished: false };

    private bool AnyDecoding()
    {
        foreach (var slot in _slots)
            if (slot.Request is { PendingToken: >= 0 })
                return true;
        return false;
    }

    /// <summary>Whether the slot's next prompt token rides this step's decode batch instead of a pass of its own.</summary>
    private bool Rides(Slot slot, bool decoding) =>
        decoding && ((int[])slot.Request!.PromptTokens).Length - slot.PrefillCursor <= _options.PromptRideLength;

    /// <summary>
    /// Evaluates one chunk of one waiting prompt that does not ride the decode batch, so a long prompt does not
    /// stall the running requests.
    /// </summary>
    private void PrefillOneChunk()
    {
        bool decoding = AnyDecoding();
        Slot? slot = null; // the longest-waiting one (a loop, not LINQ: this runs every step and allocates nothing)
        foreach (var candidate in _slots)
            if (IsPrefilling(candidate) && !Rides(candidate, decoding) && (slot is null || candidate.LastUsed < slot.LastUsed))
                slot = candidate;
        if (slot?.Request is not { } request)
            return;
        var prompt = (int[])request.PromptTokens;
        int chunk = Math.Min(_options.Session.BatchSize, prompt.Length - slot.PrefillCursor);
        try
        {
            slot.Session.Evaluate(prompt.AsSpan(slot.PrefillCursor, chunk), request.CancellationToken);
            slot.PrefillCursor += chunk;
            if (slot.PrefillCursor == prompt.Length)
                FinishPrompt(slot, slot.Session.LastLogits);
        }
        catch (Exception ex)
        {
            Release(slot, () => request.Fail(ex));
        }
    }

    /// <summary>The prompt is in the cache: pick the first token from the logits after its last token.</summary>
    private void FinishPrompt(Slot slot, ReadOnlySpan<float> logits)
    {
        var request = slot.Request!;
        request.MarkPromptDone();
        if (request.Picker.NothingToDo)
            Release(slot, request.Complete);
        else
            Pick(slot, logits);
    }

    /// <summary>
    /// One token for every slot that has one pending, and the next prompt token of every slot whose prompt rides
    /// (<see cref="Rides"/>), in one forward pass.
    /// </summary>
    private void DecodeStep()
    {
        int n = 0;
        foreach (var slot in _slots)
        {
            if (slot.Request is { PendingToken: >= 0 } request)
                Add(ref n, slot, request.PendingToken, riding: false);
        }
        if (n == 0)
            return; // a step with no decoded token is a prompt's: its own chunked pass is cheaper
        int rideRows = _batchTokens.Length - n; // the decoding slots' rows are reserved; the rest is for riding prompts
        foreach (var slot in _slots)
        {
            if (rideRows == 0 || !IsPrefilling(slot) || !Rides(slot, decoding: true))
                continue;
            var prompt = (int[])slot.Request!.PromptTokens;
            int take = Math.Min(rideRows, prompt.Length - slot.PrefillCursor);
            for (int k = 0; k < take; k++)
                Add(ref n, slot, prompt[slot.PrefillCursor + k], riding: true, promptOffset: k);
            rideRows -= take;
        }
        try
        {
            Transformer.ForwardSequences(_model.Decoder, _batchTokens.AsSpan(0, n), _batchCaches.AsSpan(0, n), _decodeState, _decodePool,
                _batchWantsLogits.AsSpan(0, n));
        }
        catch (Exception ex)
        {
            for (int i = 0; i < n; i++)
            {
                var request = _batchSlots[i].Request!;
                Release(_batchSlots[i], () => request.Fail(ex));
            }
            return;
        }
        int vocab = _model.Config.VocabSize;
        for (int i = 0; i < n; i++)
        {
            var slot = _batchSlots[i];
            var logits = _decodeState.Logits.AsSpan(i * vocab, vocab);
            slot.Session.AppendBatchedToken(_batchTokens[i]);
            if (!_batchRiding[i])
                Pick(slot, logits);
            else if (++slot.PrefillCursor == slot.Request!.PromptTokens.Count)
                FinishPrompt(slot, logits);
        }
        Array.Clear(_batchCaches, 0, n);
        Array.Clear(_batchSlots, 0, n);
    }

    /// <summary>One row of the step; a riding prompt token <paramref name="promptOffset"/> tokens past the slot's cursor.</summary>
    private void Add(ref int n, Slot slot, int token, bool riding, int promptOffset = 0)
    {
        _batchTokens[n] = token;
        _batchCaches[n] = slot.Session.Cache;
        _batchRiding[n] = riding;
        _batchWantsLogits[n] = !riding || slot.PrefillCursor + promptOffset + 1 == slot.Request!.PromptTokens.Count;
        _batchSlots[n++] = slot;
    }

    private void Pick(Slot slot, ReadOnlySpan<float> logits)
    {
        var request = slot.Request!;
        bool contextFull = slot.Session.Cache.Length >= slot.Session.ContextLength;
        var step = request.Picker.Pick(logits, contextFull, out int next);
        if (step is not null)
            request.Emit(step);
        request.PendingToken = next;
        if (!request.Picker.IsFinished)
            return;
        if (request.Picker.FinishReason == FinishReason.MaxTokens && request.Picker.Tail() is { } tail)
            request.Emit(tail);
        Release(slot, request.Complete);
    }

    private void Release(Slot slot, Action finish)
    {
        lock (_gate)
        {
            slot.Request = null;
            slot.LastUsed = ++_clock;
        }
        finish();
    }

    private void FailAll(Exception error)
    {
        lock (_gate)
        {
            foreach (var slot in _slots)
            {
                slot.Request?.Fail(error);
                slot.Request = null;
            }
            foreach (var request in _queue)
                request.Fail(error);
            _queue.Clear();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping)
                return;
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        _thread.Join();
        foreach (var slot in _slots)
            slot.Session.Dispose();
        _decodePool.Dispose();
    }

    private sealed class Slot(InferenceSession session)
    {
        public InferenceSession Session { get; } = session;
        public BatchRequest? Request { get; set; }
        public int PrefillCursor { get; set; }
        public long LastUsed { get; set; }
    }
}
