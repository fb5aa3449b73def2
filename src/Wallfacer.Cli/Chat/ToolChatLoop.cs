using Microsoft.Extensions.AI;
using Wallfacer.Extensions.AI.Tools;
using Wallfacer.Inference.Engine;

namespace Wallfacer.Cli.Chat;

/// <summary>
/// <c>wallfacer chat --mcp …</c>: the chat goes through a <see cref="ToolLoopChatClient"/>, so the model may call
/// the tools in <paramref name="options"/>; each call is shown on stderr (name, arguments, short result) as it
/// happens, and the answer streams to stdout. The conversation — calls and results included — is resent each
/// turn (the chat client's prompt cache makes that cheap). Ctrl+C stops the current answer.
/// </summary>
internal sealed class ToolChatLoop(
    ToolLoopChatClient client, ChatOptions options, TextReader input, TextWriter output, TextWriter status, string modelName)
{
    private readonly ChatInputReader _reader = new(input);
    private readonly List<ChatMessage> _history = [];
    private CancellationTokenSource? _answer;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        client.ToolInvoked += ShowInvocation;
        Console.CancelKeyPress += OnCtrlC;
        try
        {
            status.WriteLine($"wallfacer chat · {modelName} · tools: {ToolNames()}");
            status.WriteLine("Type a message; end a line with \\ to continue it, or wrap text in \"\"\" lines. /help lists commands.");
            await _reader.PumpAsync(output, RunCommand, message => AnswerAsync(message, cancellationToken), cancellationToken).ConfigureAwait(false);
            return 0;
        }
        finally
        {
            Console.CancelKeyPress -= OnCtrlC;
            client.ToolInvoked -= ShowInvocation;
        }
    }

    private void ShowInvocation(object? sender, ToolInvocation invocation) => status.WriteLine("[tool] " + invocation.ToDisplayString());

    private void OnCtrlC(object? sender, ConsoleCancelEventArgs e)
    {
        if (Volatile.Read(ref _answer) is { } answer)
        {
            e.Cancel = true; // stop the answer, keep the program
            answer.Cancel();
        }
    }

    private async Task AnswerAsync(string message, CancellationToken cancellationToken)
    {
        _history.Add(new ChatMessage(ChatRole.User, message));
        var updates = new List<ChatResponseUpdate>();
        using var answer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Volatile.Write(ref _answer, answer);
        try
        {
            await foreach (var update in client.GetStreamingResponseAsync(_history, options, answer.Token).ConfigureAwait(false))
            {
                updates.Add(update);
                if (update.Role != ChatRole.Tool && update.Text.Length > 0)
                {
                    output.Write(update.Text);
                    output.Flush();
                }
            }
            _history.AddRange(updates.ToChatResponse().Messages);
        }
        catch (OperationCanceledException) when (answer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Keep what was written, but not a half-answered round of calls, which the template could not render.
            _history.Add(new ChatMessage(ChatRole.Assistant, string.Concat(updates.Where(u => u.Role != ChatRole.Tool).Select(u => u.Text))));
            status.WriteLine("\n[answer stopped; what was written is kept]");
        }
        catch (ContextFullException ex)
        {
            _history.RemoveAt(_history.Count - 1);
            status.WriteLine($"error: {ex.Message} The message was not kept; /reset starts over.");
        }
        finally
        {
            Volatile.Write(ref _answer, null);
        }
        output.WriteLine();
        output.Flush();
    }

    /// <summary>Runs a /command; false means leave the chat.</summary>
    private bool RunCommand(string line)
    {
        switch (line.Split(' ', 2)[0])
        {
            case "/exit" or "/quit":
                return false;
            case "/help":
                status.WriteLine("/tools  list the tools the model may call\n" +
                                 "/reset  forget the conversation (the system prompt stays)\n" +
                                 "/exit  leave (also end of input); Ctrl+C stops an answer");
                break;
            case "/tools":
                foreach (var tool in options.Tools ?? [])
                    status.WriteLine($"{tool.Name}: {tool.Description}");
                break;
            case "/reset":
                _history.Clear();
                status.WriteLine("[conversation cleared]");
                break;
            default:
                status.WriteLine($"error: unknown command {line}; /help lists the commands.");
                break;
        }
        return true;
    }

    private string ToolNames() => options.Tools is { Count: > 0 } tools ? string.Join(", ", tools.Select(t => t.Name)) : "none";
}
