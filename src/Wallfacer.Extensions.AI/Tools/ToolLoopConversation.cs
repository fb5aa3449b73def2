using Microsoft.Extensions.AI;

namespace Wallfacer.Extensions.AI.Tools;

/// <summary>
/// What the <see cref="ToolLoopChatClient"/> sends to its inner client each round. Normally the whole conversation
/// grows by the assistant's calls and the tool results; when the inner client keeps the history itself (its
/// response names a <see cref="ChatResponse.ConversationId"/>), only the tool results are sent, under that id.
/// A required tool mode holds for the first round only: once tools have answered, the model may reply in text
/// (else "required" would force calls until the iteration limit).
/// </summary>
internal sealed class ToolLoopConversation(IEnumerable<ChatMessage> messages, ChatOptions? options)
{
    private List<ChatMessage> _messages = [.. messages];
    private ChatOptions? _options = options;

    public IReadOnlyList<ChatMessage> Messages => _messages;

    /// <summary>The request options; the last round forbids tool calls so the loop ends with text.</summary>
    public ChatOptions? OptionsFor(bool lastRound)
    {
        if (!lastRound)
            return _options;
        var final = _options?.Clone() ?? new ChatOptions();
        final.ToolMode = ChatToolMode.None;
        return final;
    }

    /// <summary>Adds a round: the assistant's answer (with its calls) and the tool message answering them.</summary>
    public void Advance(IEnumerable<ChatMessage> answer, string? conversationId, ChatMessage toolResults)
    {
        if (_options?.ToolMode is RequiredChatToolMode)
        {
            _options = _options.Clone();
            _options.ToolMode = ChatToolMode.Auto;
        }
        if (conversationId is null)
        {
            _messages.AddRange(answer);
            _messages.Add(toolResults);
            return;
        }
        _messages = [toolResults];
        if (_options?.ConversationId != conversationId)
        {
            _options = _options?.Clone() ?? new ChatOptions();
            _options.ConversationId = conversationId;
        }
    }
}
