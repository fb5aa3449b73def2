using Microsoft.Extensions.AI;
using LocalAssistant;

namespace Wallfacer.Extensions.AI.Tests.Tools;

/// <summary>The sample assistant end to end on a small (random-weight) model, and its tools on their own.</summary>
public class LocalAssistantTests(ChatModelFixture fixture) : IClassFixture<ChatModelFixture>
{
    [Fact]
    public async Task The_assistant_calls_a_tool_well_formed_the_tool_runs_and_the_loop_ends()
    {
        string root = Directory.CreateTempSubdirectory("assistant").FullName;
        File.WriteAllText(Path.Combine(root, "notes.txt"), "the key is under the mat\n");
        using var client = new WallfacerChatClient(fixture.Model, new WallfacerChatClientOptions { ContextLength = 1024, Threads = 1 });
        var log = new StringWriter();
        var response = await new Assistant(client, new AssistantTools(root), log).AskAsync("where is the key?", ChatToolMode.RequireAny);

        var call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().FirstOrDefault();
        Assert.True(call is not null, $"no call; finish {response.FinishReason}; {string.Join(" | ", response.Messages.Select(m => m.Role + ": " + m.Text))}");
        Assert.Contains(call.Name, new[] { "search_files", "calculate", "now" });
        var result = response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().First();
        Assert.Equal(call.CallId, result.CallId);
        Assert.Null(result.Exception); // the tool ran (a refusal such as a path outside the root is a normal result)
        Assert.Contains($"→ {call.Name}(", log.ToString());
        Assert.Equal(ChatRole.Assistant, response.Messages[^1].Role); // the loop ended on an answer
        Assert.DoesNotContain(response.Messages[^1].Contents, c => c is FunctionCallContent);
    }

    [Theory]
    [InlineData("1 + 2 * 3", "7")]
    [InlineData("(1 + 2) * 3", "9")]
    [InlineData("2 ^ 3 ^ 2", "512")]
    [InlineData("-4.5 / 2", "-2.25")]
    [InlineData("1 +", "Error: The expression ends too early.")]
    [InlineData("2 * x", "Error: Unexpected 'x' at offset 4.")]
    [InlineData("1 / 0", "Error: The result is not a finite number (division by zero or overflow).")]
    public void The_calculator_computes_or_explains(string expression, string expected) =>
        Assert.Equal(expected, AssistantTools.Calculate(expression));

    [Fact]
    public void File_search_finds_lines_and_refuses_folders_outside_the_root()
    {
        string root = Directory.CreateTempSubdirectory("assistant").FullName;
        Directory.CreateDirectory(Path.Combine(root, "docs"));
        File.WriteAllText(Path.Combine(root, "docs", "a.md"), "alpha\nthe Systemd unit\n");
        var tools = new AssistantTools(root);
        Assert.Equal(Path.Combine("docs", "a.md") + ":2: the Systemd unit", tools.SearchFiles(".", "systemd"));
        Assert.Contains("outside", tools.SearchFiles("..", "systemd"));
        Assert.Contains("outside", tools.SearchFiles("../" + Path.GetFileName(root) + "-evil", "x"));
        Assert.StartsWith("No file", tools.SearchFiles("docs", "omega"));
    }
}
