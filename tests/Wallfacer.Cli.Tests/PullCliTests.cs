using System.Text.Json;
using Wallfacer.Hub.Tests;
using Wallfacer.Models.Synthetic;
using Wallfacer.TestSupport;

namespace Wallfacer.Cli.Tests;

/// <summary><c>wallfacer pull</c>, <c>list</c> and <c>-m owner/name</c> as a user runs them, against a loopback hub.</summary>
public class PullCliTests : IAsyncLifetime
{
    private const string RepoId = "acme/tiny-GGUF";
    private readonly string _dir = TestPaths.NewTempDir();
    private FakeHub _hub = null!;

    public async Task InitializeAsync() => _hub = await FakeHub.StartAsync();

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    /// <summary>The child sees only our hub and our HF_HOME, whatever the machine's own settings are.</summary>
    private Dictionary<string, string?> ChildEnvironment => new()
    {
        ["HF_ENDPOINT"] = _hub.Endpoint.AbsoluteUri,
        ["HF_HOME"] = Path.Combine(_dir, "hf"),
        ["HF_HUB_CACHE"] = null,
        ["HUGGINGFACE_HUB_CACHE"] = null,
        ["HF_TOKEN"] = null,
        ["HF_TOKEN_PATH"] = null,
    };

    [Fact]
    public void Pull_then_list_then_inspect_and_tokenize_by_the_cached_name()
    {
        string model = Path.Combine(_dir, "tiny.gguf");
        SyntheticModelWriter.Write(SyntheticPresets.Get("tiny"), model);
        var repo = _hub.AddRepo(RepoId);
        repo.Add("tiny-Q4_0.gguf", File.ReadAllBytes(model));
        repo.Add("tiny-Q8_0.gguf", 1000);

        var pull = CliProcess.Run(ChildEnvironment, "pull", RepoId, "--json");
        Assert.True(pull.ExitCode == 0, pull.StdErr);
        Assert.Contains("100%", pull.StdErr); // plain progress lines when stdout is not a terminal
        string snapshot = Path.Combine(_dir, "hf", "hub", "models--acme--tiny-GGUF", "snapshots", repo.Commit, "tiny-Q4_0.gguf");
        using (var doc = JsonDocument.Parse(pull.StdOut))
            Assert.Equal(snapshot, doc.RootElement.GetProperty("files")[0].GetProperty("path").GetString());

        var list = CliProcess.Run(ChildEnvironment, "list", "--json");
        Assert.True(list.ExitCode == 0, list.StdErr);
        using (var doc = JsonDocument.Parse(list.StdOut))
        {
            var entry = Assert.Single(doc.RootElement.GetProperty("models").EnumerateArray());
            Assert.Equal(RepoId, entry.GetProperty("repoId").GetString());
            Assert.Equal("tiny-Q4_0.gguf", entry.GetProperty("file").GetString());
            Assert.Equal(new FileInfo(model).Length, entry.GetProperty("sizeBytes").GetInt64());
            Assert.Equal("main", entry.GetProperty("revisions")[0].GetString());
            Assert.Equal(repo.Commit, entry.GetProperty("commit").GetString());
        }

        var inspect = CliProcess.Run(ChildEnvironment, "inspect", RepoId, "--json");
        Assert.True(inspect.ExitCode == 0, inspect.StdErr);
        using (var doc = JsonDocument.Parse(inspect.StdOut))
        {
            Assert.Equal(snapshot, doc.RootElement.GetProperty("file").GetString());
            Assert.Equal("llama", doc.RootElement.GetProperty("architecture").GetString());
        }

        var tokenize = CliProcess.Run(ChildEnvironment, "tokenize", "-m", RepoId + ":Q4_0", "hello", "--json");
        Assert.True(tokenize.ExitCode == 0, tokenize.StdErr);
    }

    [Fact]
    public void An_uncached_name_says_where_it_looked_and_suggests_pull()
    {
        var run = CliProcess.Run(ChildEnvironment, "run", "-m", "acme/absent-GGUF:Q4_0", "-p", "hi");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("model not found: acme/absent-GGUF:Q4_0", run.StdErr);
        Assert.Contains("wallfacer pull acme/absent-GGUF:Q4_0", run.StdErr);
        Assert.Contains(Path.Combine(_dir, "hf", "hub"), run.StdErr);
    }

    [Fact]
    public void Pull_of_a_missing_repository_is_one_clear_line()
    {
        var pull = CliProcess.Run(ChildEnvironment, "pull", "acme/absent-GGUF");

        Assert.Equal(1, pull.ExitCode);
        Assert.StartsWith("wallfacer: error: repository or file not found: acme/absent-GGUF", pull.StdErr);
        Assert.DoesNotContain("   at ", pull.StdErr);
    }
}
