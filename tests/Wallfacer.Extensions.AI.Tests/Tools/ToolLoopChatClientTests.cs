using System.Text.Json;
using Microsoft.Extensions.AI;
using Wallfacer.Extensions.AI.Tools;
using static Wallfacer.Extensions.AI.Tests.Tools.ScriptedChatClient;

namespace Wallfacer.Extensions.AI.Tests.Tools;

/// <summary>The tool loop against a scripted fake model: which tools run, what the model is told, when the loop ends.</summary>
public class ToolLoopChatClientTests
{
    private static readonly AIFunction Add = AIFunctionFactory.Create((int a, int b) => a + b, "add", "Adds two integers.");
    private static readonly AIFunction Echo = AIFunctionFactory.Create((string text) => text, "echo", "Returns its text.");
    private static ChatOptions WithTools(params AITool[] tools) => new() { Tools = [.. tools] };
    private static readonly ChatMessage[] Question = [new(ChatRole.User, "What is 2 + 3?")];

    private static (ToolLoopChatClient Loop, List<ToolInvocation> Invocations) Loop(IChatClient inner)
    {
        var loop = new ToolLoopChatClient(inner);
        var invocations = new List<ToolInvocation>();
        loop.ToolInvoked += (_, invocation) => invocations.Add(invocation);
        return (loop, invocations);
    }

    private static FunctionResultContent SingleResult(ChatMessage toolMessage)
    {
        Assert.Equal(ChatRole.Tool, toolMessage.Role);
        return Assert.IsType<FunctionResultContent>(Assert.Single(toolMessage.Contents));
    }

    [Fact]
    public async Task A_call_is_invoked_and_its_result_sent_back_under_the_same_call_id()
    {
        var model = new ScriptedChatClient(Calls(Call("c1", "add", new { a = 2, b = 3 })), Says("The sum is 5."));
        var (loop, invocations) = Loop(model);

        var response = await loop.GetResponseAsync(Question, WithTools(Add, Echo));

        Assert.Equal("The sum is 5.", response.Text);
        Assert.Equal(2, model.Requests.Count);
        var second = model.Requests[1].Messages;
        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.Tool], second.Select(m => m.Role));
        var result = SingleResult(second[2]);
        Assert.Equal("c1", result.CallId);
        Assert.Equal("5", result.Result?.ToString());
        var invocation = Assert.Single(invocations);
        Assert.True(invocation.Succeeded);
        Assert.Equal("add", invocation.Call.Name);
    }

    [Fact]
    public async Task The_response_holds_the_whole_exchange_and_the_usage_of_every_round()
    {
        var model = new ScriptedChatClient(Calls(Call("c1", "add", new { a = 2, b = 3 })), Says("5"));
        var response = await new ToolLoopChatClient(model).GetResponseAsync(Question, WithTools(Add));

        Assert.Equal([ChatRole.Assistant, ChatRole.Tool, ChatRole.Assistant], response.Messages.Select(m => m.Role));
        Assert.IsType<FunctionCallContent>(Assert.Single(response.Messages[0].Contents));
        Assert.Equal("c1", SingleResult(response.Messages[1]).CallId);
        Assert.Equal(20, response.Usage?.InputTokenCount);
        Assert.Equal(2, response.Usage?.OutputTokenCount);
    }

    [Fact]
    public async Task Parallel_calls_in_one_answer_are_all_invoked_in_order()
    {
        var model = new ScriptedChatClient(
            Calls(Call("c1", "add", new { a = 1, b = 1 }), Call("c2", "echo", new { text = "hi" }), Call("c3", "add", new { a = 40, b = 2 })),
            Says("done"));
        var (loop, invocations) = Loop(model);

        await loop.GetResponseAsync(Question, WithTools(Add, Echo));

        var results = model.Requests[1].Messages[2].Contents.Cast<FunctionResultContent>().ToList();
        Assert.Equal(["c1", "c2", "c3"], results.Select(r => r.CallId));
        Assert.Equal(["2", "hi", "42"], results.Select(r => r.Result?.ToString()));
        Assert.Equal(3, invocations.Count);
        Assert.All(invocations, i => Assert.True(i.Succeeded));
    }

    [Fact]
    public async Task An_unknown_tool_becomes_an_error_the_model_reads()
    {
        var model = new ScriptedChatClient(Calls(Call("c1", "multiply", new { a = 2, b = 3 })), Says("Sorry."));
        var (loop, invocations) = Loop(model);

        var response = await loop.GetResponseAsync(Question, WithTools(Add, Echo));

        Assert.Equal("Sorry.", response.Text);
        var text = SingleResult(model.Requests[1].Messages[2]).Result as string;
        Assert.Equal("Error: there is no tool named 'multiply'. Available tools: add, echo.", text);
        Assert.False(Assert.Single(invocations).Succeeded);
    }

    [Fact]
    public async Task A_throwing_tool_becomes_an_error_the_model_reads()
    {
        var broken = AIFunctionFactory.Create(string (string path) => throw new IOException($"cannot open {path}"), "read");
        var model = new ScriptedChatClient(Calls(Call("c1", "read", new { path = "a.txt" })), Says("The file is unreadable."));
        var (loop, invocations) = Loop(model);

        var response = await loop.GetResponseAsync(Question, WithTools(broken));

        Assert.Equal("The file is unreadable.", response.Text);
        var result = SingleResult(model.Requests[1].Messages[2]);
        Assert.Equal("Error: tool 'read' failed: cannot open a.txt", result.Result);
        Assert.IsType<IOException>(result.Exception);
        Assert.False(Assert.Single(invocations).Succeeded);
    }

    [Fact]
    public async Task Arguments_the_client_could_not_parse_become_an_error()
    {
        var unreadable = new FunctionCallContent("c1", "add") { Exception = new JsonException("unexpected end of JSON") };
        var model = new ScriptedChatClient(Calls(unreadable), Says("ok"));

        await new ToolLoopChatClient(model).GetResponseAsync(Question, WithTools(Add));

        var text = (string?)SingleResult(model.Requests[1].Messages[2]).Result;
        Assert.StartsWith("Error: the arguments of 'add' could not be read (unexpected end of JSON)", text);
    }

    [Fact]
    public async Task After_max_iterations_a_last_request_forbids_tools_and_the_loop_ends_with_text()
    {
        // A model that calls a tool whenever it may.
        var keepsCalling = (Request r) => r.Options?.ToolMode is NoneChatToolMode
            ? (IList<AIContent>)[new TextContent("I give up.")]
            : [Call("c" + r.Messages.Count, "echo", new { text = "again" })];
        var model = new ScriptedChatClient(Enumerable.Repeat(keepsCalling, 10).ToArray());
        var (loop, invocations) = Loop(model);
        loop.MaxIterations = 3;

        var response = await loop.GetResponseAsync(Question, WithTools(Echo));

        Assert.Equal("I give up.", response.Text);
        Assert.Equal(4, model.Requests.Count);
        Assert.Equal(3, invocations.Count);
        Assert.All(model.Requests.Take(3), r => Assert.Null(r.Options!.ToolMode));
        Assert.IsType<NoneChatToolMode>(model.Requests[3].Options!.ToolMode);
        Assert.NotNull(model.Requests[3].Options!.Tools); // still described, only not callable
    }

    [Fact]
    public void Max_iterations_below_one_is_refused()
    {
        var loop = new ToolLoopChatClient(new ScriptedChatClient());
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => loop.MaxIterations = 0);
        Assert.Contains("at least 1", error.Message);
        Assert.Equal(ToolLoopChatClient.DefaultMaxIterations, loop.MaxIterations);
    }

    [Fact]
    public async Task Cancelling_during_a_tool_stops_the_loop_instead_of_telling_the_model()
    {
        using var cts = new CancellationTokenSource();
        var slow = AIFunctionFactory.Create(async (CancellationToken ct) =>
        {
            await cts.CancelAsync();
            await Task.Delay(Timeout.Infinite, ct);
            return "never";
        }, "slow");
        var model = new ScriptedChatClient(Calls(Call("c1", "slow")), Says("unreachable"));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new ToolLoopChatClient(model).GetResponseAsync(Question, WithTools(slow), cts.Token));
        Assert.Single(model.Requests);
    }

    [Fact]
    public async Task A_tool_that_times_out_on_its_own_is_an_error_not_a_cancellation()
    {
        var timesOut = AIFunctionFactory.Create(string () => throw new TaskCanceledException("the service did not answer"), "lookup");
        var model = new ScriptedChatClient(Calls(Call("c1", "lookup")), Says("It timed out."));

        var response = await new ToolLoopChatClient(model).GetResponseAsync(Question, WithTools(timesOut));

        Assert.Equal("It timed out.", response.Text);
        Assert.Equal("Error: tool 'lookup' failed: the service did not answer", SingleResult(model.Requests[1].Messages[2]).Result);
    }

    [Fact]
    public async Task Streaming_passes_text_through_and_invokes_the_calls_of_each_round()
    {
        var events = new List<string>();
        var logged = AIFunctionFactory.Create((int a, int b) => { events.Add("tool"); return a + b; }, "add");
        var model = new ScriptedChatClient(
            _ => [new TextContent("Let me add."), Call("c1", "add", new { a = 2, b = 3 })],
            Says("The sum is 5."));

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in new ToolLoopChatClient(model).GetStreamingResponseAsync(Question, WithTools(logged)))
        {
            updates.Add(update);
            events.Add(update.Role == ChatRole.Tool ? "results" : update.Contents.Any(c => c is FunctionCallContent) ? "call" : "text");
        }

        // Round one's words and call pass through, then the tool runs, then its results and round two's words.
        Assert.Equal(["text", "text", "text", "call", "tool", "results", "text", "text", "text", "text"], events);
        var exchange = updates.ToChatResponse();
        Assert.Equal([ChatRole.Assistant, ChatRole.Tool, ChatRole.Assistant], exchange.Messages.Select(m => m.Role));
        Assert.Equal("5", SingleResult(exchange.Messages[1]).Result?.ToString());
        Assert.Equal("The sum is 5.", exchange.Messages[2].Text);
        Assert.Equal("c1", SingleResult(model.Requests[1].Messages[2]).CallId);
    }

    [Fact]
    public async Task Streaming_stops_when_cancelled_mid_answer()
    {
        using var cts = new CancellationTokenSource();
        int updatesSeen = 0;
        var model = new ScriptedChatClient(Calls(Call("c1", "echo", new { text = "x" })), Says("never finished"))
        {
            BeforeUpdate = _ => { if (++updatesSeen == 2) cts.Cancel(); }, // the first word of round two
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in new ToolLoopChatClient(model).GetStreamingResponseAsync(Question, WithTools(Echo), cts.Token))
            {
            }
        });
        Assert.Equal(2, model.Requests.Count);
    }

    [Fact]
    public async Task Streaming_ends_with_a_tool_free_request_after_max_iterations()
    {
        var keepsCalling = (Request r) => r.Options?.ToolMode is NoneChatToolMode
            ? (IList<AIContent>)[new TextContent("Enough tools.")]
            : [Call("c" + r.Messages.Count, "echo", new { text = "again" })];
        var model = new ScriptedChatClient(Enumerable.Repeat(keepsCalling, 10).ToArray());
        var loop = new ToolLoopChatClient(model) { MaxIterations = 2 };

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in loop.GetStreamingResponseAsync(Question, WithTools(Echo)))
            updates.Add(update);

        Assert.Equal(3, model.Requests.Count);
        Assert.Equal(2, updates.Count(u => u.Role == ChatRole.Tool));
        Assert.Equal("Enough tools.", updates.ToChatResponse().Messages[^1].Text);
    }

    [Fact]
    public async Task A_required_tool_mode_holds_for_the_first_round_only()
    {
        var model = new ScriptedChatClient(Calls(Call("c1", "add", new { a = 2, b = 3 })), Says("5"));
        var options = new ChatOptions { Tools = [Add], ToolMode = ChatToolMode.RequireAny };

        await new ToolLoopChatClient(model).GetResponseAsync(Question, options);

        Assert.IsType<RequiredChatToolMode>(model.Requests[0].Options!.ToolMode);
        Assert.IsType<AutoChatToolMode>(model.Requests[1].Options!.ToolMode);
        Assert.IsType<RequiredChatToolMode>(options.ToolMode); // the caller's options are left alone
    }

    [Fact]
    public async Task An_inner_client_that_keeps_the_history_gets_only_the_tool_results()
    {
        var model = new ScriptedChatClient(Calls(Call("c1", "add", new { a = 2, b = 3 })), Says("5")) { ConversationId = "conv-7" };

        await new ToolLoopChatClient(model).GetResponseAsync(Question, WithTools(Add));

        var second = model.Requests[1];
        Assert.Equal("conv-7", second.Options!.ConversationId);
        Assert.Equal("c1", SingleResult(Assert.Single(second.Messages)).CallId);
    }

    [Fact]
    public async Task A_call_to_a_declaration_only_tool_is_handed_back_to_the_caller()
    {
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"question":{"type":"string"}}}""").RootElement;
        var askUser = AIFunctionFactory.CreateDeclaration("ask_user", "Asks the user.", schema);
        var model = new ScriptedChatClient(Calls(Call("c1", "ask_user", new { question = "Which file?" })));

        var response = await new ToolLoopChatClient(model).GetResponseAsync(Question, WithTools(Add, askUser));

        Assert.Single(model.Requests);
        Assert.Equal("ask_user", Assert.IsType<FunctionCallContent>(Assert.Single(response.Messages).Contents.Single()).Name);
    }
}
