using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Wallfacer.Extensions.AI.Tools;

/// <summary>
/// Runs the tool loop around any <see cref="IChatClient"/>: when an answer holds <see cref="FunctionCallContent"/>s,
/// the matching <see cref="AIFunction"/>s of <see cref="ChatOptions.Tools"/> are invoked, the assistant message and
/// a <see cref="ChatRole.Tool"/> message with the <see cref="FunctionResultContent"/>s are added to the
/// conversation, and the model is asked again — until an answer has no calls. After <see cref="MaxIterations"/>
/// rounds of calls, one last request with <see cref="ChatToolMode.None"/> makes the loop end with text.
/// </summary>
/// <remarks>
/// The same contract as Microsoft.Extensions.AI's <c>FunctionInvokingChatClient</c>, which is not on our feed:
/// the response's <see cref="ChatResponse.Messages"/> hold the whole exchange (calls, results, final answer);
/// streaming passes every update through as it arrives and adds one update per round with the tool results.
/// Unknown tools, unreadable arguments and tools that throw become error results the model reads, never an
/// exception. Calls to a tool offered only as an <see cref="AIFunctionDeclaration"/> (not invocable here) end the
/// loop and are returned to the caller to answer. Thread-safe: a request's state lives in the request.
/// </remarks>
public sealed class ToolLoopChatClient : DelegatingChatClient
{
    /// <summary>Rounds of tool calls before the final, tool-free request.</summary>
    public const int DefaultMaxIterations = 8;

    private readonly ToolInvoker _invoker;
    private int _maxIterations = DefaultMaxIterations;

    /// <summary>Wraps <paramref name="innerClient"/>; each invocation is logged to <paramref name="logger"/> (name, duration, outcome).</summary>
    public ToolLoopChatClient(IChatClient innerClient, ILogger? logger = null)
        : base(innerClient)
    {
        _invoker = new ToolInvoker(logger ?? NullLogger.Instance, invocation => ToolInvoked?.Invoke(this, invocation));
    }

    /// <summary>Rounds of tool calls answered per request (at least 1); then one last request forbids tools.</summary>
    public int MaxIterations
    {
        get => _maxIterations;
        set => _maxIterations = value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxIterations must be at least 1.");
    }

    /// <summary>Raised after each tool call is answered, on the thread running the request.</summary>
    public event EventHandler<ToolInvocation>? ToolInvoked;

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var conversation = new ToolLoopConversation(messages, options);
        var exchange = new List<ChatMessage>();
        UsageDetails? usage = null;
        for (int round = 0; ; round++)
        {
            bool lastRound = round == MaxIterations;
            var answer = await base.GetResponseAsync(conversation.Messages, conversation.OptionsFor(lastRound), cancellationToken)
                .ConfigureAwait(false);
            exchange.AddRange(answer.Messages);
            usage = Add(usage, answer.Usage);
            var calls = lastRound ? [] : PendingCalls(answer.Messages, options?.Tools);
            if (calls.Count == 0)
            {
                answer.Messages = exchange;
                answer.Usage = usage;
                return answer;
            }
            var results = await _invoker.InvokeAsync(calls, options?.Tools, cancellationToken).ConfigureAwait(false);
            exchange.Add(results);
            conversation.Advance(answer.Messages, answer.ConversationId, results);
        }
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var conversation = new ToolLoopConversation(messages, options);
        for (int round = 0; ; round++)
        {
            bool lastRound = round == MaxIterations;
            var updates = new List<ChatResponseUpdate>();
            await foreach (var update in base.GetStreamingResponseAsync(conversation.Messages, conversation.OptionsFor(lastRound), cancellationToken)
                               .ConfigureAwait(false))
            {
                updates.Add(update);
                yield return update; // text reaches the caller as it is generated
            }
            var answer = updates.ToChatResponse();
            var calls = lastRound ? [] : PendingCalls(answer.Messages, options?.Tools);
            if (calls.Count == 0)
                yield break;
            var results = await _invoker.InvokeAsync(calls, options?.Tools, cancellationToken).ConfigureAwait(false);
            yield return new ChatResponseUpdate(ChatRole.Tool, results.Contents)
            {
                MessageId = results.MessageId,
                ConversationId = answer.ConversationId,
                CreatedAt = DateTimeOffset.UtcNow,
            };
            conversation.Advance(answer.Messages, answer.ConversationId, results);
        }
    }

    /// <summary>
    /// The calls of an answer this loop must answer: not informational, not already answered in the same answer.
    /// None when any call names a declaration-only tool — the caller answers those, so the loop hands back.
    /// </summary>
    internal static List<FunctionCallContent> PendingCalls(IEnumerable<ChatMessage> answer, IList<AITool>? tools)
    {
        var contents = answer.SelectMany(m => m.Contents).ToList();
        var answered = contents.OfType<FunctionResultContent>().Select(r => r.CallId).ToHashSet();
        var calls = contents.OfType<FunctionCallContent>()
            .Where(c => !c.InformationalOnly && !answered.Contains(c.CallId))
            .ToList();
        return calls.Any(c => IsDeclarationOnly(c.Name, tools)) ? [] : calls;
    }

    private static bool IsDeclarationOnly(string name, IList<AITool>? tools) =>
        tools is not null && ToolInvoker.FindFunction(name, tools) is null
                          && tools.OfType<AIFunctionDeclaration>().Any(d => d.Name == name);

    private static UsageDetails? Add(UsageDetails? total, UsageDetails? round)
    {
        if (round is null)
            return total;
        total ??= new UsageDetails();
        total.Add(round);
        return total;
    }
}
