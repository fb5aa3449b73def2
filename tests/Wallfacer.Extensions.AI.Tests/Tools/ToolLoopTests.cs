using Microsoft.Extensions.AI;
using Wallfacer.Extensions.AI.Tools;

namespace Wallfacer.Extensions.AI.Tests.Tools;

public class ToolLoopTests
{
    /// <summary>Answers from a script, one response per request, and records what each request held.</summary>
    private sealed class ScriptedClient(params ChatResponse[] script) : IChatClient
    {
        private int _next;
        public List<List<ChatMessage>> Requests { get; } = [];
        public List<ChatToolMode?> Modes { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Requests.Add(messages.ToList());
            Modes.Add(options?.ToolMode);
            return Task.FromResult(script[Math.Min(_next++, script.Length - 1)]);
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates())
                yield return update;
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;
        public void Dispose() { }
    }

    private static ChatResponse Calls(params FunctionCallContent[] calls) => new(new ChatMessage(ChatRole.Assistant, [.. calls]));

    private static ChatResponse Text(string text) => new(new ChatMessage(ChatRole.Assistant, text));

    private static ChatOptions WithTools(params AIFunction[] tools) => new() { Tools = [.. tools] };

    [Fact]
    public async Task Parallel_calls_are_invoked_and_their_results_go_back_before_the_final_answer()
    {
        var inner = new ScriptedClient(
            Calls(new FunctionCallContent("1", "add", new Dictionary<string, object?> { ["a"] = 2, ["b"] = 3 }),
                  new FunctionCallContent("2", "add", new Dictionary<string, object?> { ["a"] = 10, ["b"] = -4 })),
            Text("5 and 6"));
        using var loop = new ToolLoopChatClient(inner);
        var response = await loop.GetResponseAsync("sums", WithTools(AIFunctionFactory.Create((int a, int b) => a + b, "add")));
        Assert.Equal("5 and 6", response.Text);
        var results = inner.Requests[1].SelectMany(m => m.Contents).OfType<FunctionResultContent>().ToList();
        Assert.Equal(["1", "2"], results.Select(r => r.CallId));
        Assert.Equal(["5", "6"], results.Select(r => r.Result?.ToString()));
        Assert.Equal(3, response.Messages.Count); // the calls, the results, the answer
    }

    [Fact]
    public async Task An_unknown_function_and_a_throwing_one_become_error_results_the_model_sees()
    {
        var inner = new ScriptedClient(
            Calls(new FunctionCallContent("1", "missing"), new FunctionCallContent("2", "boom")),
            Text("sorry"));
        using var loop = new ToolLoopChatClient(inner);
        var response = await loop.GetResponseAsync("x", WithTools(AIFunctionFactory.Create(string () => throw new InvalidOperationException("disk on fire"), "boom")));
        Assert.Equal("sorry", response.Text);
        var results = inner.Requests[1].SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.Result?.ToString()).ToList();
        Assert.Contains("no function named 'missing'", results[0]);
        Assert.Contains("disk on fire", results[1]);
    }

    [Fact]
    public async Task A_model_that_keeps_calling_is_asked_to_answer_without_tools_after_the_last_round()
    {
        var inner = new ScriptedClient(Calls(new FunctionCallContent("1", "ping")));
        using var loop = new ToolLoopChatClient(inner) { MaxIterations = 3 };
        await loop.GetResponseAsync("x", WithTools(AIFunctionFactory.Create(() => "pong", "ping")));
        Assert.Equal(4, inner.Requests.Count);
        Assert.IsType<NoneChatToolMode>(inner.Modes[^1]);
    }

    [Fact]
    public async Task A_required_first_round_can_be_followed_by_free_rounds()
    {
        var inner = new ScriptedClient(Calls(new FunctionCallContent("1", "ping")), Text("done"));
        using var loop = new ToolLoopChatClient(inner) { ToolModeAfterFirstRound = ChatToolMode.Auto };
        var options = WithTools(AIFunctionFactory.Create(() => "pong", "ping"));
        options.ToolMode = ChatToolMode.RequireAny;
        await loop.GetResponseAsync("x", options);
        Assert.IsType<RequiredChatToolMode>(inner.Modes[0]);
        Assert.IsType<AutoChatToolMode>(inner.Modes[1]);
    }

    [Fact]
    public async Task Streaming_passes_updates_through_and_runs_the_tools_between_rounds()
    {
        var inner = new ScriptedClient(Calls(new FunctionCallContent("1", "ping")), Text("pong received"));
        using var loop = new ToolLoopChatClient(inner);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in loop.GetStreamingResponseAsync("x", WithTools(AIFunctionFactory.Create(() => "pong", "ping"))))
            updates.Add(update);
        Assert.Contains(updates.SelectMany(u => u.Contents), c => c is FunctionResultContent r && r.Result?.ToString() == "pong");
        Assert.EndsWith("pong received", string.Concat(updates.Select(u => u.Text)));
    }

    [Fact]
    public async Task Cancellation_stops_the_loop()
    {
        var inner = new ScriptedClient(Calls(new FunctionCallContent("1", "ping")));
        using var loop = new ToolLoopChatClient(inner);
        using var cts = new CancellationTokenSource();
        var ping = AIFunctionFactory.Create(() => { cts.Cancel(); return "pong"; }, "ping");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop.GetResponseAsync("x", WithTools(ping), cts.Token));
    }
}
