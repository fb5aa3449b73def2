using Microsoft.Extensions.AI;
using Wallfacer.Extensions.AI;
using Wallfacer.Extensions.AI.Collaboration;
using Wallfacer.Inference.Engine;

namespace Wallfacer.Cli.Chat;

/// <summary>
/// <c>wallfacer chat --cloud URL</c>: after each local answer (already shown), the collaboration policies
/// (<see cref="CollaborativeChatClient"/>: privacy, confidence cascade, failover) decide whether it stands or
/// the cloud answers instead. The local answer enters the decision through a client that just returns it,
/// so the chat and the library apply exactly the same rules.
/// </summary>
internal sealed class CloudAssist(IChatClient cloud, CollaborationOptions options) : IDisposable
{
    public async Task<(string Answer, CollaborationDecision Decision)> ReviewAsync(IReadOnlyList<(string Role, string Content)> history,
        string? systemPrompt, string localAnswer, GenerationConfidence confidence, CancellationToken ct)
    {
        var messages = new List<ChatMessage>();
        if (!string.IsNullOrEmpty(systemPrompt))
            messages.Add(new ChatMessage(ChatRole.System, systemPrompt));
        messages.AddRange(history.Select(m => new ChatMessage(new ChatRole(m.Role), m.Content)));
        var local = new AnsweredClient(localAnswer, confidence);
        using var collaborative = new CollaborativeChatClient(local, cloud, options);
        var response = await collaborative.GetResponseAsync(messages, new ChatOptions(), ct).ConfigureAwait(false);
        var decision = (CollaborationDecision)response.AdditionalProperties![CollaborativeChatClient.DecisionKey]!;
        return (response.Text, decision);
    }

    public void Dispose() => cloud.Dispose();

    /// <summary>The local side of the decision: the answer the chat already generated, with its confidence.</summary>
    private sealed class AnsweredClient(string answer, GenerationConfidence confidence) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer))
            {
                AdditionalProperties = new() { [WallfacerChatClient.ConfidenceKey] = confidence },
            });

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
