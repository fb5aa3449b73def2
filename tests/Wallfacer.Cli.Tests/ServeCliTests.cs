using System.Text.RegularExpressions;
using Wallfacer.Models.Synthetic;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Cli.Tests;

/// <summary><c>wallfacer serve</c> as a process: it says where it listens, answers, and stops cleanly on Ctrl+C.</summary>
public sealed class ServeCliTests : IDisposable
{
    private readonly string _model = Path.Combine(Path.GetTempPath(), "wallfacer-tests", Guid.NewGuid().ToString("N") + ".gguf");

    public ServeCliTests()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_model)!);
        SyntheticModelWriter.Write(new SyntheticModelSpec { VocabSize = 300, WeightType = GgmlType.Q8_0, EmbeddingLength = 32, HeadCount = 2, KvHeadCount = 1, FeedForwardLength = 64, WithChatTemplate = true }, _model);
    }

    [Fact]
    public async Task Serves_on_loopback_and_shuts_down_gracefully_on_sigint()
    {
        using var serve = new InteractiveCli("serve", "-m", _model, "--port", "0", "--parallel", "2", "-t", "1");
        serve.WaitForStdErr("Ctrl+C stops");
        string url = Regex.Match(serve.StdErr, @"at (http://127\.0\.0\.1:\d+)").Groups[1].Value;
        using var http = new HttpClient();
        Assert.Contains("\"status\":\"ok\"", await http.GetStringAsync(url + "/health"));
        var reply = await http.PostAsync(url + "/v1/chat/completions", new StringContent("{\"max_tokens\": 3, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"));
        Assert.True(reply.IsSuccessStatusCode);
        serve.Interrupt();
        Assert.Equal(0, serve.CloseInputAndWait(30));
    }

    public void Dispose()
    {
        try { File.Delete(_model); } catch (IOException) { }
    }
}
