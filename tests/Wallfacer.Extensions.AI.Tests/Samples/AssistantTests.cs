using LocalAssistant;
using LocalAssistant.Tools;
using Microsoft.Extensions.AI;
using Wallfacer.Extensions.AI.Tests.Tools;
using static Wallfacer.Extensions.AI.Tests.Tools.ScriptedChatClient;

namespace Wallfacer.Extensions.AI.Tests.Samples;

/// <summary>The sample assistant with a scripted model: its tools run for real, and each call is shown.</summary>
public sealed class AssistantTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("wallfacer-assistant-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A clock stopped at a known instant in a known zone.</summary>
    private sealed class FixedTime(DateTimeOffset utc, TimeZoneInfo zone) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => utc;
        public override TimeZoneInfo LocalTimeZone => zone;
    }

    private static readonly TimeZoneInfo Plus0530 = TimeZoneInfo.CreateCustomTimeZone("Test/Plus0530", TimeSpan.FromMinutes(330), "Test", "Test");

    private IList<AITool> Tools() =>
        AssistantTools.Create(new FileSearch(_root), new Clock(new FixedTime(new DateTimeOffset(2025, 3, 4, 12, 0, 0, TimeSpan.Zero), Plus0530)));

    private static string? ResultOf(Request request, string callId) =>
        request.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single(r => r.CallId == callId).Result?.ToString();

    [Fact]
    public void The_clock_gives_local_time_with_offset_and_zone()
    {
        var clock = new Clock(new FixedTime(new DateTimeOffset(2025, 3, 4, 23, 45, 6, TimeSpan.Zero), Plus0530));
        Assert.Equal("Wednesday 2025-03-05 05:15:06 +05:30 (Test/Plus0530)", clock.Now());
    }

    [Fact]
    public async Task The_model_calls_the_tools_and_its_final_answer_is_returned()
    {
        File.WriteAllText(Path.Combine(_root, "budget.txt"), "rent: 1200\nfood: 450");
        var model = new ScriptedChatClient(
            Calls(Call("c1", "search_files", new { folder = ".", text = "rent" }), Call("c2", "now")),
            Calls(Call("c3", "calculate", new { expression = "1200 * 12" })),
            request => [new TextContent($"Rent is {ResultOf(request, "c3")} a year.")]);
        var log = new StringWriter();

        string answer = await new Assistant(model, Tools(), log).AskAsync("How much rent do I pay per year?");

        Assert.Equal("Rent is 14400 a year.", answer);
        Assert.Contains("budget.txt:1: rent: 1200", ResultOf(model.Requests[1], "c1"));
        Assert.Equal("Tuesday 2025-03-04 17:30:00 +05:30 (Test/Plus0530)", ResultOf(model.Requests[1], "c2"));
        var shown = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(shown.Length == 3, log.ToString());
        Assert.StartsWith("[tool] search_files({\"folder\":\".\",\"text\":\"rent\"}) → 1 line contains", shown[0]);
        Assert.StartsWith("[tool] calculate({\"expression\":\"1200 * 12\"}) → 14400 (", shown[2]);
        Assert.Equal(Assistant.Instructions, model.Requests[0].Options!.Instructions);
    }

    [Fact]
    public async Task Tool_errors_reach_the_model_and_are_shown_as_failures()
    {
        var model = new ScriptedChatClient(
            Calls(Call("c1", "calculate", new { expression = "2 +* 3" }), Call("c2", "search_files", new { folder = "../..", text = "x" })),
            Says("I could not do that."));
        var log = new StringWriter();

        string answer = await new Assistant(model, Tools(), log) { ToolMode = ChatToolMode.RequireAny }.AskAsync("2 +* 3?");

        Assert.Equal("I could not do that.", answer);
        Assert.IsType<RequiredChatToolMode>(model.Requests[0].Options!.ToolMode);
        Assert.Contains("expected a number but found '*' at position 4", ResultOf(model.Requests[1], "c1"));
        Assert.Contains("outside the searchable folder", ResultOf(model.Requests[1], "c2"));
        Assert.Equal(2, log.ToString().Split('\n').Count(l => l.Contains(" ✗ Error: ")));
    }

    [Theory]
    [InlineData(new[] { "-m", "x.gguf", "--tool-choice", "required", "what", "time?" }, "what time?")]
    [InlineData(new[] { "what time?", "--model", "x.gguf" }, "what time?")]
    public void Arguments_are_read(string[] args, string question)
    {
        var parsed = AssistantArguments.Parse(args);
        Assert.Equal("x.gguf", parsed.ModelPath);
        Assert.Equal(question, parsed.Question);
    }

    [Theory]
    [InlineData(new[] { "question" }, "-m MODEL.gguf")]
    [InlineData(new[] { "-m", "x.gguf" }, "Ask a question")]
    [InlineData(new[] { "-m", "x.gguf", "--tool-choice", "always", "q" }, "auto or required, not 'always'")]
    [InlineData(new[] { "-m", "x.gguf", "--verbose", "q" }, "Unknown option --verbose")]
    [InlineData(new[] { "q", "-m" }, "-m needs a value")]
    public void Argument_mistakes_say_what_to_fix(string[] args, string expected) =>
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => AssistantArguments.Parse(args)).Message);
}
