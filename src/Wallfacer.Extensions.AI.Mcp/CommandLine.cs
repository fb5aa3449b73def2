using System.Text;

namespace Wallfacer.Extensions.AI.Mcp;

/// <summary>
/// A server's command line split into the program and its arguments, the way a shell groups words: whitespace
/// separates, <c>"double"</c> or <c>'single'</c> quotes keep spaces together (and are removed), and inside double
/// quotes <c>\"</c> and <c>\\</c> stand for a quote and a backslash. Every other backslash is literal, so Windows
/// paths need no escaping. Nothing is expanded: no variables, globs or pipes.
/// </summary>
/// <param name="Program">The executable (a path or a name looked up on PATH).</param>
/// <param name="Arguments">The arguments, unquoted.</param>
public sealed record CommandLine(string Program, IReadOnlyList<string> Arguments)
{
    /// <summary>Splits <paramref name="commandLine"/>; an empty line or an unterminated quote is an <see cref="ArgumentException"/>.</summary>
    public static CommandLine Parse(string commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var words = Split(commandLine);
        if (words.Count == 0)
            throw new ArgumentException("The MCP server command is empty: give a program and its arguments, e.g. \"npx -y @modelcontextprotocol/server-everything\".", nameof(commandLine));
        return new CommandLine(words[0], words.Skip(1).ToArray());
    }

    private static List<string> Split(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord)
                    words.Add(word.ToString());
                word.Clear();
                inWord = false;
                continue;
            }
            inWord = true;
            if (c is '"' or '\'')
                i = ReadQuoted(line, i, word);
            else
                word.Append(c);
        }
        if (inWord)
            words.Add(word.ToString());
        return words;
    }

    /// <summary>Appends the quoted text that starts at <paramref name="open"/>; returns the index of the closing quote.</summary>
    private static int ReadQuoted(string line, int open, StringBuilder word)
    {
        char quote = line[open];
        for (int i = open + 1; i < line.Length; i++)
        {
            char c = line[i];
            if (c == quote)
                return i;
            if (quote == '"' && c == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\')
                c = line[++i];
            word.Append(c);
        }
        throw new ArgumentException($"The MCP server command has an unterminated {quote} quote at position {open + 1}: {line}", nameof(line));
    }

    /// <inheritdoc/>
    public override string ToString() => string.Join(' ', Arguments.Prepend(Program).Select(Quote));

    private static string Quote(string word) =>
        word.Length > 0 && !word.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'') ? word : "\"" + word.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
