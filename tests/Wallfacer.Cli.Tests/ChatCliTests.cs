using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Wallfacer.Models.Synthetic;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Cli.Tests;

/// <summary>End-to-end: <c>wallfacer chat</c> driven through redirected stdin.</summary>
public sealed class ChatCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "wallfacer-tests", "chat-" + Guid.NewGuid().ToString("N"));
    private readonly string _model;

    public ChatCliTests()
    {
        Directory.CreateDirectory(_dir);
        _model = Path.Combine(_dir, "chat.gguf");
        SyntheticModelWriter.Write(new SyntheticModelSpec
        {
            Architecture = "llama", EmbeddingLength = 128, BlockCount = 2, HeadCount = 4, KvHeadCount = 2,
            FeedForwardLength = 256, VocabSize = 1000, WeightType = GgmlType.Q8_0, ContextLength = 4096, WeightScale = 0.3f,
            WithChatTemplate = true,
        }, _model);
    }

    private static int CachedTokensOfLastPrompt(string stderr)
    {
        var matches = Regex.Matches(stderr, @"last prompt: (\d+) tokens \((\d+) from cache");
        return int.Parse(matches[^1].Groups[2].Value);
    }

    [Fact]
    public void A_multi_turn_conversation_streams_and_survives_reset_save_and_load()
    {
        string transcript = Path.Combine(_dir, "conversation.json");
        using var chat = new InteractiveCli("chat", "-m", _model, "--temp", "0", "-n", "12", "--ctx", "1024", "-t", "1",
            "--system-prompt", "you are terse");
        chat.WaitForStdErr("/help lists commands");

        chat.WriteLine("tell me about the sea");
        chat.WaitForStdErr("[context ");
        chat.WriteLine("and the stones \\");     // a continued line: one message over two lines
        chat.WriteLine("on the shore");
        chat.WaitForStdErr("tok/s", count: 1 + 1);
        chat.WriteLine("/stats");
        chat.WaitForStdErr("last answer:");
        Assert.Contains("messages: 4", chat.StdErr);
        Assert.True(CachedTokensOfLastPrompt(chat.StdErr) > 0, "turn 2 should reuse turn 1's cached tokens");
        int answerLines = chat.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        Assert.True(answerLines >= 1, "answers are written to stdout");

        chat.WriteLine("/save " + transcript);
        chat.WaitForStdErr("[saved 4 messages");
        var saved = JsonNode.Parse(File.ReadAllText(transcript))!;
        Assert.Equal("you are terse", (string?)saved["system"]);
        Assert.Equal("and the stones \non the shore", (string?)saved["messages"]![2]!["content"]);

        chat.WriteLine("/reset");
        chat.WaitForStdErr("[conversation cleared]");
        chat.WriteLine("/stats");
        chat.WaitForStdErr("messages: 0");

        chat.WriteLine("/load " + transcript);
        chat.WaitForStdErr("[loaded 4 messages");
        Assert.Contains("KV cache of", chat.StdErr);
        chat.WriteLine("what next");
        chat.WriteLine("/stats"); // input is handled in order: this runs after the answer
        chat.WaitForStdErr("messages: 6");
        chat.WaitForStdErr("last answer:", count: 3);
        // The restored KV cache means the loaded conversation was not evaluated again.
        Assert.True(CachedTokensOfLastPrompt(chat.StdErr) > 20);

        chat.WriteLine("/nonsense");
        chat.WaitForStdErr("unknown command /nonsense");
        Assert.Equal(0, chat.CloseInputAndWait());
    }

    [Fact]
    public void Ctrl_c_stops_the_answer_but_not_the_program()
    {
        using var chat = new InteractiveCli("chat", "-m", _model, "--temp", "0", "-n", "0", "--ctx", "4096", "-t", "1");
        chat.WaitForStdErr("/help lists commands");
        chat.WriteLine("write a very long story");
        chat.WaitUntil(() => chat.StdOut.Length > 20, "the answer to start");
        chat.Interrupt();
        chat.WaitForStdErr("[answer stopped");
        chat.WriteLine("/stats");
        chat.WaitForStdErr("last answer:");
        var generated = int.Parse(Regex.Match(chat.StdErr, @"last answer: (\d+) tokens").Groups[1].Value);
        Assert.InRange(generated, 1, 4000); // stopped well before the context (4096) filled
        Assert.Equal(0, chat.CloseInputAndWait());
    }

    [Fact]
    public void A_bad_transcript_is_an_error_line_and_the_chat_goes_on()
    {
        string bad = Path.Combine(_dir, "bad.json");
        File.WriteAllText(bad, """{"format": "wallfacer-chat", "messages": [{"role": "wizard", "content": "hi"}]}""");
        using var chat = new InteractiveCli("chat", "-m", _model, "--temp", "0", "-n", "4", "--ctx", "256", "-t", "1");
        chat.WriteLine("/load " + bad);
        chat.WaitForStdErr("messages[0].role is \"wizard\"");
        chat.WriteLine("/load " + Path.Combine(_dir, "missing.json"));
        chat.WaitForStdErr("no such file");
        chat.WriteLine("hello");
        chat.WaitForStdErr("[context ");
        Assert.Equal(0, chat.CloseInputAndWait());
    }

    [Fact]
    public void With_a_cloud_uncertain_answers_are_handed_over_and_private_ones_stay()
    {
        using var cloud = new Wallfacer.Extensions.AI.Tests.Remote.FakeOpenAiServer();
        using (var chat = new InteractiveCli("chat", "-m", _model, "--temp", "0", "-n", "6", "--ctx", "512", "-t", "1",
            "--cloud", cloud.Endpoint.ToString(), "--cloud-threshold", "1"))
        {
            chat.WriteLine("what is the capital of France?");
            chat.WaitForStdErr("[the cloud answers instead");
            chat.WaitUntil(() => chat.StdOut.Contains(cloud.Answer), "the cloud's answer on stdout");
            chat.WriteLine("my e-mail is jane@example.com, remember it");
            chat.WaitForStdErr("[the cloud answers instead", count: 2);
            Assert.Equal(0, chat.CloseInputAndWait());
        }
        Assert.Equal(2, cloud.Requests.Count);
        Assert.DoesNotContain("jane@example.com", cloud.Requests[1]);
        Assert.Contains("[EMAIL_1]", cloud.Requests[1]);

        using (var chat = new InteractiveCli("chat", "-m", _model, "--temp", "0", "-n", "6", "--ctx", "512", "-t", "1",
            "--cloud", cloud.Endpoint.ToString(), "--cloud-threshold", "1", "--keep-private"))
        {
            chat.WriteLine("card 4111 1111 1111 1111 was charged twice");
            chat.WaitForStdErr("[answered on the device");
            Assert.Contains("kept on the device", chat.StdErr);
            Assert.Equal(0, chat.CloseInputAndWait());
        }
        Assert.Equal(2, cloud.Requests.Count); // nothing more reached the cloud
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
