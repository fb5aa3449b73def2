using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Wallfacer.Extensions.AI.Tests.Tools;

/// <summary>
/// A fake model that plays a script: each request gets the next scripted answer (text and/or function calls) and
/// is recorded with its messages and options. Streaming splits text into one update per word, so a test can see
/// text pass through before the calls of the round are answered.
/// </summary>
internal sealed class ScriptedChatClient(params Func<ScriptedChatClient.Request, IList<AIContent>>[] script) : IChatClient
{
    /// <summary>What one request carried (copied: the loop's own list keeps growing).</summary>
    public sealed record Request(IReadOnlyList<ChatMessage> Messages, ChatOptions? Options);

    private int _next;

    public List<Request> Requests { get; } = [];

    /// <summary>Called before each streamed update; lets a test act mid-answer (e.g. cancel).</summary>
    public Action<ChatResponseUpdate>? BeforeUpdate { get; init; }

    /// <summary>Set on every response and update, to play an inner client that keeps the history itself.</summary>
    public string? ConversationId { get; init; }

    public static Func<Request, IList<AIContent>> Says(string text) => _ => [new TextContent(text)];

    public static Func<Request, IList<AIContent>> Calls(params FunctionCallContent[] calls) => _ => [.. calls];

    public static FunctionCallContent Call(string id, string name, object? arguments = null) =>
        new(id, name, arguments is null ? null : System.Text.Json.JsonSerializer.SerializeToElement(arguments)
            .EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value));

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var contents = Play(messages, options);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, contents))
        {
            ConversationId = ConversationId,
            Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 1 },
        });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var contents = Play(messages, options);
        string messageId = "answer-" + Requests.Count;
        foreach (var piece in contents.SelectMany(Pieces))
        {
            await Task.Yield();
            var update = new ChatResponseUpdate(ChatRole.Assistant, [piece]) { MessageId = messageId, ConversationId = ConversationId };
            BeforeUpdate?.Invoke(update);
            cancellationToken.ThrowIfCancellationRequested();
            yield return update;
        }
    }

    private IList<AIContent> Play(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var request = new Request([.. messages], options?.Clone());
        Requests.Add(request);
        if (_next >= script.Length)
            throw new InvalidOperationException($"The script has {script.Length} answers; request {_next + 1} was not expected.");
        return script[_next++](request);
    }

    private static IEnumerable<AIContent> Pieces(AIContent content) =>
        content is TextContent text
            ? text.Text.Split(' ').Select((word, i) => (AIContent)new TextContent(i == 0 ? word : " " + word))
            : [content];

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
