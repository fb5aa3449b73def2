using Microsoft.Extensions.AI;

namespace Wallfacer.Extensions.AI;

/// <summary>
/// The messages of stateful conversations (<see cref="ChatOptions.ConversationId"/>): the caller sends only
/// new messages and the client prepends what came before. Bounded: the least recently used conversation is
/// forgotten first. Thread-safe.
/// </summary>
internal sealed class ConversationStore(int capacity)
{
    private readonly Dictionary<string, (List<ChatMessage> Messages, long Used)> _conversations = [];
    private readonly object _gate = new();
    private long _clock;

    /// <summary>The stored history of <paramref name="id"/> (empty for a new id), followed by <paramref name="newMessages"/>.</summary>
    public List<ChatMessage> History(string id, IEnumerable<ChatMessage> newMessages)
    {
        lock (_gate)
        {
            var history = _conversations.TryGetValue(id, out var entry) ? [.. entry.Messages] : new List<ChatMessage>();
            history.AddRange(newMessages);
            return history;
        }
    }

    /// <summary>Records the whole conversation so far under <paramref name="id"/>.</summary>
    public void Save(string id, List<ChatMessage> messages)
    {
        lock (_gate)
        {
            _conversations[id] = (messages, ++_clock);
            if (_conversations.Count > capacity)
                _conversations.Remove(_conversations.MinBy(kv => kv.Value.Used).Key);
        }
    }
}
