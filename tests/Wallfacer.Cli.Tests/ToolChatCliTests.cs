using Microsoft.Extensions.AI;
using Wallfacer.Cli.Chat;
using Wallfacer.Extensions.AI.Tests.Tools;
using Wallfacer.Extensions.AI.Tools;
using Wallfacer.Models.Synthetic;
using Wallfacer.Numerics.Quants;
using static Wallfacer.Extensions.AI.Tests.Tools.ScriptedChatClient;

namespace Wallfacer.Cli.Tests;

/// <summary><c>wallfacer chat --mcp</c>: MCP servers started, their tools offered, each call shown on stderr.</summary>
public sealed class ToolChatCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wallfacer-toolchat-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteModel()
    {
        string path = Path.Combine(_dir, "chat.gguf");
        SyntheticModelWriter.Write(new SyntheticModelSpec
        {
            Architecture = "llama", EmbeddingLength = 64, BlockCount = 1, HeadCount = 4, KvHeadCount = 2,
            FeedForwardLength = 128, VocabSize = 1000, WeightType = GgmlType.Q8_0, ContextLength = 1024, WithChatTemplate = true,
        }, path);
        return path;
    }

    private static string TestServerCommand()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Wallfacer.McpTestServer.dll");
        Assert.True(File.Exists(dll), $"The test MCP server was not built beside the tests: {dll}");
        return $"dotnet \"{dll}\"";
    }

    [Fact]
    public void Help_explains_the_mcp_option()
    {
        var r = CliProcess.Run("chat", "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("--mcp", r.StdOut);
        Assert.Contains("repeat for more servers", r.StdOut);
    }

    [Fact]
    public void The_servers_tools_are_offered_to_the_model()
    {
        var r = CliProcess.Run("chat", "-m", WriteModel(), "-t", "1", "--mcp", TestServerCommand());
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("tools: add, echo, fail", r.StdErr);
    }

    [Fact]
    public void A_server_that_cannot_start_is_one_clear_error()
    {
        var r = CliProcess.Run("chat", "-m", WriteModel(), "--mcp", "wallfacer-no-such-server --port 1");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("wallfacer: error: The MCP server 'wallfacer-no-such-server --port 1' could not be started", r.StdErr);
    }

    [Fact]
    public void An_unterminated_quote_in_a_server_command_is_refused()
    {
        var r = CliProcess.Run("chat", "-m", WriteModel(), "--mcp", "server \"open");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("unterminated \" quote", r.StdErr);
    }

    [Fact]
    public async Task Each_tool_call_is_shown_and_the_answer_streams_to_stdout()
    {
        var add = AIFunctionFactory.Create((int a, int b) => a + b, "add", "Adds two integers.");
        var model = new ScriptedChatClient(Calls(Call("c1", "add", new { a = 2, b = 3 })), Says("It is 5."), Says("Bye."));
        using var client = new ToolLoopChatClient(model);
        var output = new StringWriter();
        var status = new StringWriter();
        var input = new StringReader("what is 2 + 3?\n/tools\nthanks\n/exit\n");

        int exit = await new ToolChatLoop(client, new ChatOptions { Tools = [add] }, input, output, status, "fake").RunAsync(CancellationToken.None);

        Assert.Equal(0, exit);
        Assert.Equal(["It is 5.", "Bye."], output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("[tool] add({\"a\":2,\"b\":3}) → 5 (", status.ToString());
        Assert.Contains("add: Adds two integers.", status.ToString());
        // The second turn carries the first one whole: question, call, result, answer, then the new message.
        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.Tool, ChatRole.Assistant, ChatRole.User],
            model.Requests[2].Messages.Select(m => m.Role));
    }
}
