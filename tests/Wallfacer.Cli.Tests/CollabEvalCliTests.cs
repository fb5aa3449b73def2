using System.Text.Json.Nodes;
using Wallfacer.Extensions.AI.Tests.Remote;
using Wallfacer.Models.Synthetic;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Cli.Tests;

/// <summary><c>wallfacer collab-eval</c> end to end: a synthetic local chat model, the fake cloud, a small set.</summary>
public sealed class CollabEvalCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "wallfacer-tests", "collab-" + Guid.NewGuid().ToString("N"));

    public CollabEvalCliTests() => Directory.CreateDirectory(_dir);

    [Fact]
    public void Prints_a_curve_from_all_cloud_to_all_local()
    {
        string model = Path.Combine(_dir, "local.gguf");
        SyntheticModelWriter.Write(new SyntheticModelSpec
        {
            Architecture = "llama", EmbeddingLength = 64, BlockCount = 2, HeadCount = 4, KvHeadCount = 2, FeedForwardLength = 128,
            VocabSize = 400, WeightType = GgmlType.Q8_0, ContextLength = 512, WithChatTemplate = true,
        }, model);
        string set = Path.Combine(_dir, "set.jsonl");
        File.WriteAllLines(set,
        [
            """{"prompt": "capital of France?", "reference": "The capital of France is Paris."}""",
            """{"prompt": "largest planet?", "reference": "Jupiter"}""",
            """{"prompt": "2+2?", "reference": "4"}""",
        ]);
        using var cloud = new FakeOpenAiServer();
        string routerFile = Path.Combine(_dir, "router.json");
        var result = CliProcess.Run("collab-eval", "-m", model, "--cloud", cloud.Endpoint.ToString(), "-f", set,
            "--thresholds", "-1000", "1000", "-n", "6", "-t", "1", "--json", "--train-router", routerFile);
        Assert.True(result.ExitCode == 0, result.StdErr);
        var router = Wallfacer.Extensions.AI.Collaboration.TrainedRouter.Load(routerFile); // --train-router wrote a loadable router
        Assert.Equal(3, router.TrainedOn);
        Assert.Contains("router: trained on 3 prompts", result.StdErr);

        var curve = JsonNode.Parse(result.StdOut)!["curve"]!.AsArray();
        var low = curve[0]!;   // threshold -1000: everything stays local
        var high = curve[1]!;  // threshold 1000: everything goes to the cloud
        Assert.Equal(1.0, (double)low["localShare"]!);
        Assert.Equal(0.0, (double)high["localShare"]!);
        Assert.Equal(1.0, (double)high["qualityVsCloud"]!, 6);
        Assert.True((double)high["exactMatch"]! >= 1.0 / 3); // the fake cloud's fixed answer matches the first reference
        Assert.Equal(3 * 19, (long)low["cloudTokensSaved"]!);
        Assert.Equal(0, (long)high["cloudTokensSaved"]!);
    }

    [Fact]
    public void A_malformed_set_names_the_line()
    {
        string set = Path.Combine(_dir, "bad.jsonl");
        File.WriteAllLines(set, ["""{"prompt": "ok", "reference": "ok"}""", """{"prompt": 3}"""]);
        var result = CliProcess.Run("collab-eval", "-m", "missing.gguf", "--cloud", "http://127.0.0.1:1/v1", "-f", set);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("bad.jsonl:2", result.StdErr);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
