using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Wallfacer.Extensions.AI.Tools;

/// <summary>
/// Answers a round of function calls with the tools offered in <see cref="ChatOptions.Tools"/>. Every call gets
/// a <see cref="FunctionResultContent"/> with its call id: a tool's value, or — for an unknown name, unreadable
/// arguments or a tool that throws — a sentence describing the error, so the model can correct itself instead of
/// the conversation crashing. Only cancellation of the caller's token escapes.
/// </summary>
internal sealed class ToolInvoker(ILogger logger, Action<ToolInvocation> report)
{
    /// <summary>Invokes <paramref name="calls"/> in order and returns the tool message that carries their results.</summary>
    public async Task<ChatMessage> InvokeAsync(IReadOnlyList<FunctionCallContent> calls, IList<AITool>? tools,
        CancellationToken cancellationToken)
    {
        var results = new List<AIContent>(calls.Count);
        // One after another, never concurrently: tools may share state (a file, a process), and a fixed order keeps
        // runs reproducible. A small local model rarely asks for more than a few calls at once.
        foreach (var call in calls)
            results.Add(await InvokeOneAsync(call, tools, cancellationToken).ConfigureAwait(false));
        return new ChatMessage(ChatRole.Tool, results) { MessageId = "tool-" + Guid.NewGuid().ToString("N") };
    }

    private async Task<FunctionResultContent> InvokeOneAsync(FunctionCallContent call, IList<AITool>? tools,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long started = Stopwatch.GetTimestamp();
        var (result, succeeded) = await ResultOfAsync(call, tools, cancellationToken).ConfigureAwait(false);
        var duration = Stopwatch.GetElapsedTime(started);
        Log(call, result, duration, succeeded);
        report(new ToolInvocation(call, result, duration, succeeded));
        return result;
    }

    private static async Task<(FunctionResultContent Result, bool Succeeded)> ResultOfAsync(FunctionCallContent call,
        IList<AITool>? tools, CancellationToken cancellationToken)
    {
        if (FindFunction(call.Name, tools) is not { } function)
            return (Failure(call, $"there is no tool named '{call.Name}'. Available tools: {NamesOf(tools)}.", null), false);
        if (call.Exception is { } parseError)
            return (Failure(call, $"the arguments of '{call.Name}' could not be read ({parseError.Message}); send them as one JSON object.", parseError), false);
        try
        {
            var arguments = call.Arguments is null ? new AIFunctionArguments() : new AIFunctionArguments(call.Arguments);
            object? value = await function.InvokeAsync(arguments, cancellationToken).ConfigureAwait(false);
            return (new FunctionResultContent(call.CallId, value), true);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw; // the caller stopped the conversation: not something to tell the model
        }
        catch (Exception ex)
        {
            return (Failure(call, $"tool '{call.Name}' failed: {ex.Message}", ex), false);
        }
    }

    /// <summary>The function of that name among the offered tools (exact name, as the model must echo it).</summary>
    public static AIFunction? FindFunction(string name, IList<AITool>? tools) =>
        tools?.OfType<AIFunction>().FirstOrDefault(f => f.Name == name);

    private static string NamesOf(IList<AITool>? tools) =>
        tools?.OfType<AIFunction>().Any() == true ? string.Join(", ", tools.OfType<AIFunction>().Select(f => f.Name)) : "none";

    private static FunctionResultContent Failure(FunctionCallContent call, string message, Exception? exception) =>
        new(call.CallId, "Error: " + message) { Exception = exception };

    private void Log(FunctionCallContent call, FunctionResultContent result, TimeSpan duration, bool succeeded)
    {
        if (succeeded)
            logger.LogInformation("Tool {ToolName} (call {CallId}) succeeded in {DurationMs:F1} ms.", call.Name, call.CallId, duration.TotalMilliseconds);
        else
            logger.LogWarning(result.Exception, "Tool {ToolName} (call {CallId}) failed in {DurationMs:F1} ms: {Result}.",
                call.Name, call.CallId, duration.TotalMilliseconds, result.Result);
    }
}
