using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Wallfacer.Extensions.AI.Tools;

/// <summary>
/// Runs the tool loop over any <see cref="IChatClient"/>: when an answer calls functions that are
/// <see cref="AIFunction"/>s in <see cref="ChatOptions.Tools"/>, invokes them, appends the calls and their results to
/// the conversation and asks again, until an answer calls nothing (Microsoft.Extensions.AI's
/// FunctionInvokingChatClient does this but is not in the Abstractions package; it works unchanged on our client too).
/// </summary>
/// <remarks>
/// An unknown function or a tool that throws becomes a result describing the error, which the model sees; the loop
/// never crashes on a tool. After <see cref="MaxIterations"/> rounds one last request is made with
/// <see cref="ChatToolMode.None"/>, so the loop always ends with text.
/// </remarks>
public sealed class ToolLoopChatClient : DelegatingChatClient
{
    private readonly ILogger _logger;

    public ToolLoopChatClient(IChatClient inner, ILogger? logger = null)
        : base(inner) => _logger = logger ?? NullLogger.Instance;

    /// <summary>Most rounds of tool calls before the model is asked to answer without tools.</summary>
    public int MaxIterations { get; init; } = 8;

    /// <summary>
    /// The tool mode for the rounds after the first (null: as given). With a required first call
    /// (<see cref="ChatToolMode.RequireAny"/>) and <see cref="ChatToolMode.Auto"/> here, the model must use a tool once and
    /// may then answer.
    /// </summary>
    public ChatToolMode? ToolModeAfterFirstRound { get; init; }

    /// <summary>Called after each invocation (for a UI that shows what ran).</summary>
    public Action<FunctionCallContent, FunctionResultContent>? OnInvoked { get; init; }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var conversation = messages.ToList();
        var added = new List<ChatMessage>();
        ChatResponse response = null!;
        for (int round = 0; ; round++)
        {
            var roundOptions = OptionsFor(round, options);
            response = await base.GetResponseAsync(conversation, roundOptions, cancellationToken).ConfigureAwait(false);
            added.AddRange(response.Messages);
            conversation.AddRange(response.Messages);
            var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
            if (calls.Count == 0 || round >= MaxIterations)
                break;
            var results = await InvokeAllAsync(calls, options, cancellationToken).ConfigureAwait(false);
            added.Add(results);
            conversation.Add(results);
        }
        response.Messages = added;
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var conversation = messages.ToList();
        for (int round = 0; ; round++)
        {
            var roundOptions = OptionsFor(round, options);
            var updates = new List<ChatResponseUpdate>();
            await foreach (var update in base.GetStreamingResponseAsync(conversation, roundOptions, cancellationToken).ConfigureAwait(false))
            {
                updates.Add(update);
                yield return update;
            }
            var calls = updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().ToList();
            if (calls.Count == 0 || round >= MaxIterations)
                yield break;
            conversation.AddRange(updates.ToChatResponse().Messages);
            var results = await InvokeAllAsync(calls, options, cancellationToken).ConfigureAwait(false);
            conversation.Add(results);
            yield return new ChatResponseUpdate(ChatRole.Tool, results.Contents);
        }
    }

    private async Task<ChatMessage> InvokeAllAsync(List<FunctionCallContent> calls, ChatOptions? options, CancellationToken cancellationToken)
    {
        var results = new List<AIContent>(calls.Count);
        foreach (var call in calls)
            results.Add(await InvokeAsync(call, options, cancellationToken).ConfigureAwait(false));
        return new ChatMessage(ChatRole.Tool, results);
    }

    private async Task<FunctionResultContent> InvokeAsync(FunctionCallContent call, ChatOptions? options, CancellationToken cancellationToken)
    {
        var function = options?.Tools?.OfType<AIFunction>().FirstOrDefault(f => f.Name == call.Name);
        FunctionResultContent result;
        var clock = Stopwatch.StartNew();
        if (function is null)
        {
            result = new FunctionResultContent(call.CallId, $"Error: there is no function named '{call.Name}'.");
            _logger.LogWarning("The model called unknown function {Name}.", call.Name);
        }
        else
        {
            try
            {
                object? value = await function.InvokeAsync(new AIFunctionArguments(call.Arguments), cancellationToken).ConfigureAwait(false);
                result = new FunctionResultContent(call.CallId, value);
                _logger.LogInformation("Tool {Name} ran in {Milliseconds} ms.", call.Name, clock.ElapsedMilliseconds);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                result = new FunctionResultContent(call.CallId, $"Error: {call.Name} failed: {ex.Message}") { Exception = ex };
                _logger.LogWarning(ex, "Tool {Name} failed after {Milliseconds} ms.", call.Name, clock.ElapsedMilliseconds);
            }
        }
        OnInvoked?.Invoke(call, result);
        return result;
    }

    private ChatOptions? OptionsFor(int round, ChatOptions? options)
    {
        if (options is null || round == 0 && MaxIterations > 0)
            return options;
        ChatToolMode? mode = round >= MaxIterations ? ChatToolMode.None : ToolModeAfterFirstRound;
        if (mode is null)
            return options;
        var copy = options.Clone();
        copy.ToolMode = mode;
        return copy;
    }
}
