using System.Text;

namespace Wallfacer.Cli.Chat;

/// <summary>
/// Reads one user message from a text reader. A line ending in <c>\</c> continues on the next line; a line
/// holding only <c>"""</c> opens a block that runs until the next such line (for pasting text with blank
/// lines). Returns null at end of input.
/// </summary>
internal sealed class ChatInputReader(TextReader input)
{
    private const string BlockFence = "\"\"\"";

    /// <summary>Longest message accepted, in characters; longer input is an error, not a silent cut.</summary>
    public const int MaxMessageLength = 1 << 20;

    /// <summary>
    /// The chat's prompt loop: show the prompt, read a message, hand a /command to <paramref name="runCommand"/>
    /// (false ends the loop) and anything else to <paramref name="answer"/>, until end of input or cancellation.
    /// </summary>
    public async Task PumpAsync(TextWriter output, Func<string, bool> runCommand, Func<string, Task> answer, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!Console.IsInputRedirected)
                output.Write("> ");
            output.Flush();
            string? message = ReadMessage();
            if (message is null)
                return;
            if (message.Trim().Length == 0)
                continue;
            if (message.StartsWith('/'))
            {
                if (!runCommand(message.Trim()))
                    return;
                continue;
            }
            await answer(message).ConfigureAwait(false);
        }
    }

    public string? ReadMessage()
    {
        string? line = input.ReadLine();
        if (line is null)
            return null;
        if (line.Trim() == BlockFence)
            return ReadBlock();
        var message = new StringBuilder();
        while (line is not null && line.EndsWith('\\'))
        {
            message.Append(line, 0, line.Length - 1).Append('\n');
            CheckLength(message);
            line = input.ReadLine();
        }
        return message.Append(line).ToString();
    }

    private string ReadBlock()
    {
        var message = new StringBuilder();
        for (string? line = input.ReadLine(); line is not null && line.Trim() != BlockFence; line = input.ReadLine())
        {
            if (message.Length > 0)
                message.Append('\n');
            message.Append(line);
            CheckLength(message);
        }
        return message.ToString();
    }

    private static void CheckLength(StringBuilder message)
    {
        if (message.Length > MaxMessageLength)
            throw new InvalidDataException($"The message is longer than {MaxMessageLength} characters.");
    }
}
