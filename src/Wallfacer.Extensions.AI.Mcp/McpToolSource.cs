using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Client;

namespace Wallfacer.Extensions.AI.Mcp;

/// <summary>
/// Starts MCP servers from command lines (stdio transport: the server is a child process speaking JSON-RPC on its
/// standard input and output), lists their tools as <see cref="AIFunction"/>s for <see cref="ChatOptions.Tools"/>,
/// and stops the processes when disposed.
/// </summary>
/// <example>
/// <code>
/// await using var mcp = await McpToolSource.StartAsync(["npx -y @modelcontextprotocol/server-filesystem /tmp"]);
/// var options = new ChatOptions { Tools = [.. mcp.Tools] };
/// var answer = await new ToolLoopChatClient(client).GetResponseAsync("What is in /tmp?", options);
/// </code>
/// </example>
public sealed class McpToolSource : IAsyncDisposable
{
    private readonly List<McpClient> _clients;

    private McpToolSource(List<McpClient> clients, List<McpToolFunction> tools)
    {
        _clients = clients;
        Tools = tools;
    }

    /// <summary>The tools of every server, in server order then the server's own order. Names are unique.</summary>
    public IReadOnlyList<McpToolFunction> Tools { get; }

    /// <summary>
    /// Starts one server per command line (see <see cref="CommandLine"/> for quoting), waits for each to answer the
    /// MCP handshake and lists its tools. If any server fails, the ones already started are stopped and the error
    /// names the command and the last lines the server wrote to stderr.
    /// </summary>
    public static async Task<McpToolSource> StartAsync(IEnumerable<string> commandLines, ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commandLines);
        var commands = commandLines.Select(CommandLine.Parse).ToList(); // all syntax errors before any process starts
        var clients = new List<McpClient>();
        var tools = new List<McpToolFunction>();
        try
        {
            foreach (var command in commands)
            {
                var client = await ConnectAsync(command, loggerFactory, cancellationToken).ConfigureAwait(false);
                clients.Add(client);
                foreach (var tool in await client.ListToolsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
                    tools.Add(new McpToolFunction(tool, command.ToString()));
            }
            RefuseDuplicateNames(tools);
            return new McpToolSource(clients, tools);
        }
        catch
        {
            await DisposeAllAsync(clients).ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<McpClient> ConnectAsync(CommandLine command, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        var logger = loggerFactory?.CreateLogger<McpToolSource>() ?? (ILogger)NullLogger.Instance;
        var stderr = new RecentLines(capacity: 5);
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = command.Program,
            Arguments = [.. command.Arguments],
            Name = command.Program,
            StandardErrorLines = line =>
            {
                stderr.Add(line);
                logger.LogDebug("MCP server {Server}: {Line}", command.Program, line);
            },
        }, loggerFactory);
        try
        {
            return await McpClient.CreateAsync(transport, loggerFactory: loggerFactory, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            string said = stderr.Text is { Length: > 0 } text ? $" Its stderr ended with: {text}" : "";
            throw new InvalidOperationException($"The MCP server '{command}' could not be started: {ex.Message}.{said}", ex);
        }
    }

    /// <summary>The model calls tools by name alone, so two servers offering the same name would be ambiguous.</summary>
    private static void RefuseDuplicateNames(List<McpToolFunction> tools)
    {
        var clash = tools.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
            throw new InvalidOperationException(
                $"Two MCP servers offer a tool named '{clash.Key}': {string.Join(" and ", clash.Select(t => t.ServerName))}. Start only one of them.");
    }

    /// <summary>Ends the MCP sessions, which stops the server processes.</summary>
    public async ValueTask DisposeAsync() => await DisposeAllAsync(_clients).ConfigureAwait(false);

    private static async Task DisposeAllAsync(List<McpClient> clients)
    {
        foreach (var client in clients)
            await client.DisposeAsync().ConfigureAwait(false);
        clients.Clear();
    }

    /// <summary>The last few stderr lines of a server, kept to explain a failed start. Written from the reader thread.</summary>
    private sealed class RecentLines(int capacity)
    {
        private readonly Queue<string> _lines = new();

        public void Add(string line)
        {
            lock (_lines)
            {
                _lines.Enqueue(line);
                if (_lines.Count > capacity)
                    _lines.Dequeue();
            }
        }

        public string Text
        {
            get
            {
                lock (_lines)
                    return string.Join(" | ", _lines);
            }
        }
    }
}
