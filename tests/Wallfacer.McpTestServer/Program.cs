using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

// A real MCP server over stdio for the tests of McpToolSource: three tools, built with the SDK's server API.
// stdout carries the protocol, so nothing else may be written there.
var options = new McpServerOptions
{
    ServerInfo = new Implementation { Name = "wallfacer-test-server", Version = "1.0.0" },
    ToolCollection =
    [
        McpServerTool.Create((double a, double b) => a + b,
            new McpServerToolCreateOptions { Name = "add", Description = "Adds two numbers and returns the sum." }),
        McpServerTool.Create((string text) => text,
            new McpServerToolCreateOptions { Name = "echo", Description = "Returns the text it is given." }),
        // McpException's message reaches the client; the SDK hides other exceptions' messages.
        McpServerTool.Create(string (string message) => throw new McpException(message),
            new McpServerToolCreateOptions { Name = "fail", Description = "Always fails with the given message (for error paths)." }),
    ],
};
await using var transport = new StdioServerTransport("wallfacer-test-server");
await using var server = McpServer.Create(transport, options);
await server.RunAsync();
