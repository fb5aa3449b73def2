using Microsoft.Extensions.AI;
using LocalAssistant;
using LocalAssistant.Tools;

namespace Wallfacer.Extensions.AI.Tests.Tools;

/// <summary>
/// The sample assistant end to end on a small (random-weight) model: with a required first call, the grammar makes
/// the call well-formed, the tool runs, and the loop ends with an answer.
/// </summary>
public class LocalAssistantTests
{
    [Fact]
    public async Task The_assistant_calls_a_tool_well_formed_the_tool_runs_and_the_loop_ends()
    {
        string root = Directory.CreateTempSubdirectory("assistant").FullName;
        File.WriteAllText(Path.Combine(root, "notes.txt"), "the key is under the mat\n");
        // The assistant's instructions and three tool descriptions need more context than the shared fixture's model.
        string path = Path.Combine(root, "model.gguf");
        Wallfacer.Models.Synthetic.SyntheticModelWriter.Write(ChatModelFixture.Spec with { ContextLength = 4096 }, path);
        using var model = WallfacerChatClient.Load(new WallfacerChatClientOptions { ModelPath = path, ContextLength = 4096, Threads = 1 });
        var recorder = new RecordingClient(model);
        var log = new StringWriter();
        var assistant = new Assistant(recorder, AssistantTools.Create(new FileSearch(root), new Clock(TimeProvider.System)), log)
        {
            // The budget must hold one whole call of a random model: the grammar bounds it (strings ≤ 100 + 60 characters,
            // at most 4 byte tokens each; whitespace runs ≤ 22 characters), but 200 tokens cut about one call in twenty
            // short, and the temporary folder's random name in the tool description changes the call from run to run.
            ToolMode = ChatToolMode.RequireAny, MaxOutputTokens = 1024,
        };
        await assistant.AskAsync("where is the key?");

        var call = recorder.Calls.FirstOrDefault();
        Assert.True(call is not null, "the first answer was not a tool call");
        Assert.Contains(call.Name, new[] { "search_files", "calculate", "now" });
        Assert.Contains("[tool] " + call.Name, log.ToString()); // the tool ran
        Assert.True(recorder.Requests >= 2, "the result went back to the model");
        Assert.DoesNotContain(recorder.LastAnswer, c => c is FunctionCallContent); // the loop ended on an answer
    }

    /// <summary>Sees every request and answer that passes between the loop and the model.</summary>
    private sealed class RecordingClient(IChatClient inner) : DelegatingChatClient(inner)
    {
        public List<FunctionCallContent> Calls { get; } = [];
        public int Requests { get; private set; }
        public IList<AIContent> LastAnswer { get; private set; } = [];

        public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Requests++;
            var response = await base.GetResponseAsync(messages, options, cancellationToken);
            LastAnswer = [.. response.Messages.SelectMany(m => m.Contents)];
            Calls.AddRange(LastAnswer.OfType<FunctionCallContent>());
            return response;
        }

        protected override void Dispose(bool disposing) { } // the test owns the model client
    }
}
