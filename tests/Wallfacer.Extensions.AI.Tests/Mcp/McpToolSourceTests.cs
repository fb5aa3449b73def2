using System.Text.Json;
using Microsoft.Extensions.AI;
using Wallfacer.Extensions.AI.Mcp;
using Wallfacer.Extensions.AI.Tests.Tools;
using Wallfacer.Extensions.AI.Tools;
using static Wallfacer.Extensions.AI.Tests.Tools.ScriptedChatClient;

namespace Wallfacer.Extensions.AI.Tests.Mcp;

/// <summary>
/// <see cref="McpToolSource"/> against a real MCP server process (tests/Wallfacer.McpTestServer, built with the
/// SDK's server API and copied beside these tests): start, list, invoke, and the tool loop on top.
/// </summary>
public class McpToolSourceTests
{
    /// <summary>The command that starts the test server with the dotnet running these tests.</summary>
    internal static string ServerCommand
    {
        get
        {
            string dll = Path.Combine(AppContext.BaseDirectory, "Wallfacer.McpTestServer.dll");
            Assert.True(File.Exists(dll), $"The test MCP server was not built beside the tests: {dll}");
            return $"\"{DotnetHost}\" \"{dll}\"";
        }
    }

    private static string DotnetHost => Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    private static AIFunctionArguments Arguments(object values) =>
        new(JsonSerializer.SerializeToElement(values).EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value));

    [Fact]
    public async Task The_servers_tools_are_listed_with_their_descriptions_and_schemas()
    {
        await using var mcp = await McpToolSource.StartAsync([ServerCommand]);

        Assert.Equal(["add", "echo", "fail"], mcp.Tools.Select(t => t.Name).Order());
        var add = mcp.Tools.Single(t => t.Name == "add");
        Assert.Equal("Adds two numbers and returns the sum.", add.Description);
        var properties = add.JsonSchema.GetProperty("properties");
        Assert.Equal("number", properties.GetProperty("a").GetProperty("type").GetString());
        Assert.Equal("number", properties.GetProperty("b").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Invoking_a_tool_runs_it_in_the_server_and_returns_its_text()
    {
        await using var mcp = await McpToolSource.StartAsync([ServerCommand]);

        var sum = await mcp.Tools.Single(t => t.Name == "add").InvokeAsync(Arguments(new { a = 2.5, b = 4 }));
        var echo = await mcp.Tools.Single(t => t.Name == "echo").InvokeAsync(Arguments(new { text = "héllo, wörld" }));

        Assert.Equal("6.5", sum);
        Assert.Equal("héllo, wörld", echo);
    }

    [Fact]
    public async Task A_tool_error_result_becomes_an_exception_with_the_servers_message()
    {
        await using var mcp = await McpToolSource.StartAsync([ServerCommand]);

        var error = await Assert.ThrowsAsync<McpToolException>(async () =>
            await mcp.Tools.Single(t => t.Name == "fail").InvokeAsync(Arguments(new { message = "disk full" })));
        Assert.Contains("disk full", error.Message);
    }

    [Fact]
    public async Task The_tool_loop_calls_mcp_tools_and_the_model_reads_their_results()
    {
        await using var mcp = await McpToolSource.StartAsync([ServerCommand]);
        var model = new ScriptedChatClient(
            Calls(Call("c1", "add", new { a = 19, b = 23 }), Call("c2", "fail", new { message = "no such file" })),
            request => [new TextContent("The sum is " + ResultOf(request, "c1") + ".")]);

        var response = await new ToolLoopChatClient(model).GetResponseAsync(
            [new ChatMessage(ChatRole.User, "Add 19 and 23.")], new ChatOptions { Tools = [.. mcp.Tools] });

        Assert.Equal("The sum is 42.", response.Text);
        Assert.Contains("no such file", ResultOf(model.Requests[1], "c2"));
        Assert.StartsWith("Error: tool 'fail' failed:", ResultOf(model.Requests[1], "c2"));
    }

    private static string? ResultOf(Request request, string callId) =>
        request.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single(r => r.CallId == callId).Result?.ToString();

    [Fact]
    public async Task Two_servers_offering_the_same_tool_name_are_refused()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => McpToolSource.StartAsync([ServerCommand, ServerCommand]));
        Assert.Contains("Two MCP servers offer a tool named", error.Message);
    }

    [Fact]
    public async Task A_server_that_cannot_start_is_named_in_the_error()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            McpToolSource.StartAsync(["wallfacer-no-such-program-7f3a --flag"]));
        Assert.Contains("wallfacer-no-such-program-7f3a", error.Message);
        Assert.Contains("could not be started", error.Message);
    }

    [Fact]
    public async Task A_server_that_exits_before_the_handshake_is_reported_with_its_stderr()
    {
        string missing = Path.Combine(AppContext.BaseDirectory, "no-such-server.dll");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            McpToolSource.StartAsync([$"\"{DotnetHost}\" \"{missing}\""]));
        Assert.Contains("could not be started", error.Message);
        Assert.Contains("no-such-server.dll", error.Message);
    }
}
