using Wallfacer.Inference.Engine;

namespace Wallfacer.Inference.Scheduling;

/// <summary>
/// Sessions over one shared model for callers that arrive with whole conversations (a chat client, a
/// server): each request leases the idle session most likely to hold its prefix — the one last used for
/// the same conversation id, else the one with the longest common token prefix — so a conversation's next
/// turn evaluates only its new tokens. Thread-safe. At most <see cref="SessionPoolOptions.MaxParallel"/>
/// leases are out at once; further callers wait in order (cancellable).
/// </summary>
public sealed class SessionPool : IDisposable
{
    private readonly LanguageModel _model;
    private readonly SessionPoolOptions _options;
    private readonly SemaphoreSlim _turns;
    private readonly List<Slot> _slots = [];
    private readonly object _gate = new();
    private long _clock;
    private bool _disposed;

    public SessionPool(LanguageModel model, SessionPoolOptions? options = null)
    {
        _model = model;
        _options = options ?? new SessionPoolOptions();
        _options.Validate();
        _turns = new SemaphoreSlim(_options.MaxParallel, _options.MaxParallel);
    }

    /// <summary>Sessions created so far (at most <see cref="SessionPoolOptions.MaxSessions"/>).</summary>
    public int SessionCount
    {
        get { lock (_gate) return _slots.Count; }
    }

    /// <summary>Waits for a turn and leases the best session for <paramref name="prompt"/>; dispose the lease to return it.</summary>
    public async Task<SessionLease> AcquireAsync(IReadOnlyList<int> prompt, string? conversationId = null,
        CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _turns.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_gate)
            {
                var slot = Choose(prompt as int[] ?? prompt.ToArray(), conversationId);
                slot.Busy = true;
                slot.ConversationId = conversationId;
                slot.LastUsed = ++_clock;
                return new SessionLease(this, slot);
            }
        }
        catch
        {
            _turns.Release();
            throw;
        }
    }

    private Slot Choose(int[] prompt, string? conversationId)
    {
        var idle = _slots.Where(s => !s.Busy).ToList();
        if (conversationId is not null && idle.FirstOrDefault(s => s.ConversationId == conversationId) is { } same)
            return same;
        var ranked = idle.Select(s => (Slot: s, Shared: s.Session.CommonPrefixLength(prompt)))
            .OrderByDescending(x => x.Shared).ThenByDescending(x => x.Slot.LastUsed).ToList();
        // A session "holds this prompt" when continuing in it keeps at least half of what it has cached;
        // otherwise its cache (another conversation) is worth more than the few tokens it would save.
        var holder = ranked.FirstOrDefault(x => x.Shared > 0 && 2 * x.Shared >= x.Slot.Session.Tokens.Count);
        if (holder.Slot is not null)
            return holder.Slot;
        if (_slots.Count < _options.MaxSessions)
        {
            var slot = new Slot(_model.CreateSession(_options.Session));
            _slots.Add(slot);
            return slot;
        }
        // The pool is full: an empty session, else the least recently used one gives up its cache.
        return idle.FirstOrDefault(s => s.Session.Tokens.Count == 0) ?? idle.OrderBy(s => s.LastUsed).First();
    }

    internal void Return(Slot slot)
    {
        lock (_gate)
            slot.Busy = false;
        _turns.Release();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            foreach (var slot in _slots)
                slot.Session.Dispose();
            _slots.Clear();
        }
    }

    internal sealed class Slot(InferenceSession session)
    {
        public InferenceSession Session { get; } = session;
        public bool Busy { get; set; }
        public string? ConversationId { get; set; }
        public long LastUsed { get; set; }
    }
}

/// <summary>A session on loan from a <see cref="SessionPool"/>; dispose it to give the session back.</summary>
public sealed class SessionLease : IDisposable
{
    private readonly SessionPool _pool;
    private readonly SessionPool.Slot _slot;
    private int _returned;

    internal SessionLease(SessionPool pool, SessionPool.Slot slot)
    {
        _pool = pool;
        _slot = slot;
    }

    public InferenceSession Session => _slot.Session;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _returned, 1) == 0)
            _pool.Return(_slot);
    }
}
