using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Wallfacer.Extensions.AI;
using Wallfacer.Inference.Engine;

namespace Wallfacer.Server.Collaboration;

/// <summary>
/// The local side of one collaborative chat completion: the request exactly as the plain server would run it
/// (prompt tokens from the model's template, <see cref="GenerationOptions"/> from the server's own request
/// reader, so grammar, ignore_eos and every sampling field behave the same) submitted to the server's
/// <see cref="Inference.Scheduling.BatchScheduler"/>, so local answers keep continuous batching and prefix reuse.
/// </summary>
/// <remarks>
/// Why not <see cref="WallfacerChatClient"/>: it runs its own session pool, so the server would hold a second set
/// of KV caches beside the scheduler's and collaborative requests would not batch with the rest. This adapter is
/// made per request (as the chat command's <c>CloudAssist</c> does) and answers only for the conversation it was
/// prepared from: <see cref="CollaborativeChatClient"/> always hands the local side the original, unredacted
/// messages, and anything else is a programming error, refused.
/// </remarks>
internal sealed class ScheduledLocalChatClient(ServedModel served, int[] promptTokens, GenerationOptions generation,
    IReadOnlyList<ChatMessage> conversation) : IChatClient
{
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        if (!messages.SequenceEqual(conversation, ReferenceEqualityComparer.Instance))
            throw new InvalidOperationException("This local client answers only the conversation it was prepared from.");
        int context = served.Scheduler.ContextLength;
        if (promptTokens.Length >= context) // the collaborative client hands this to the cloud unless the request is private
            throw new ContextFullException(0, promptTokens.Length, context);
        var request = served.Scheduler.Submit(promptTokens, generation, cancellationToken);
        await request.Completion.ConfigureAwait(false);
        served.Metrics.RecordGeneration(request.PromptTokens.Count, request.CachedPromptTokens, request.GeneratedTokenCount, request.GenerationTime);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, request.Text))
        {
            ModelId = served.Id,
            FinishReason = request.FinishReason is FinishReason.EndOfGeneration or FinishReason.StopString ? ChatFinishReason.Stop : ChatFinishReason.Length,
            Usage = new UsageDetails
            {
                InputTokenCount = request.PromptTokens.Count,
                CachedInputTokenCount = request.CachedPromptTokens,
                OutputTokenCount = request.GeneratedTokenCount,
                TotalTokenCount = request.PromptTokens.Count + request.GeneratedTokenCount,
            },
            AdditionalProperties = new() { [WallfacerChatClient.ConfidenceKey] = request.Confidence },
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates())
            yield return update;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
