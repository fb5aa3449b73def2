using Microsoft.Extensions.AI;
using Wallfacer.Extensions.AI.Tools;

namespace LocalAssistant;

/// <summary>
/// The assistant: one question in, the model answers through a <see cref="ToolLoopChatClient"/> that runs its
/// tools; each tool call is written to <paramref name="toolLog"/> as it happens. Any <see cref="IChatClient"/>
/// works — the local model in Program, a scripted one in tests.
/// </summary>
public sealed class Assistant(IChatClient model, IList<AITool> tools, TextWriter toolLog)
{
    /// <summary>What the assistant is told before the question.</summary>
    public const string Instructions =
        "You are a helpful assistant running on the user's own computer. Use the tools when they help: " +
        "search_files to look in the user's files, calculate for any arithmetic, now for the date and time. " +
        "Answer briefly and say which tool results you relied on.";

    /// <summary>Auto (the model decides) or RequireAny (it must call a tool first).</summary>
    public ChatToolMode ToolMode { get; init; } = ChatToolMode.Auto;

    /// <summary>Answer length cap in tokens.</summary>
    public int MaxOutputTokens { get; init; } = 512;

    /// <summary>The model's final answer to <paramref name="question"/>.</summary>
    public async Task<string> AskAsync(string question, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        // Not disposed: disposing a delegating client disposes the model it wraps, which the caller owns.
        var loop = new ToolLoopChatClient(model);
        loop.ToolInvoked += (_, invocation) => toolLog.WriteLine("[tool] " + invocation.ToDisplayString());
        var options = new ChatOptions
        {
            Instructions = Instructions,
            Tools = tools,
            ToolMode = ToolMode,
            MaxOutputTokens = MaxOutputTokens,
            Temperature = 0f, // tool arguments should not be sampled creatively
        };
        var response = await loop.GetResponseAsync([new ChatMessage(ChatRole.User, question)], options, cancellationToken)
            .ConfigureAwait(false);
        return response.Messages.LastOrDefault(m => m.Role == ChatRole.Assistant)?.Text.Trim() ?? "";
    }
}
