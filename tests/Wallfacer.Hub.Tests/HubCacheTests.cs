namespace Wallfacer.Hub.Tests;

public class HubCacheTests : HubTestBase
{
    private const string RepoId = "acme/tiny-GGUF";

    [Fact]
    public async Task Cached_names_resolve_to_snapshot_paths_by_repo_quant_or_file()
    {
        var repo = Hub.AddRepo(RepoId);
        repo.Add("tiny-Q4_K_M.gguf", 1000);
        repo.Add("tiny-Q8_0.gguf", 1000);
        await PullAsync(RepoId);
        await PullAsync(RepoId + ":Q8_0");
        var cache = new HubCache(CacheDirectory);

        Assert.True(cache.TryResolve(RepoId, out string? byDefault));
        Assert.Equal(SnapshotPath(RepoId, repo, "tiny-Q4_K_M.gguf"), byDefault);
        Assert.True(cache.TryResolve(RepoId + ":q8_0", out string? byQuant));
        Assert.Equal(SnapshotPath(RepoId, repo, "tiny-Q8_0.gguf"), byQuant);
        Assert.True(cache.TryResolve(RepoId + ":tiny-Q8_0.gguf", out string? byFile));
        Assert.Equal(byQuant, byFile);
    }

    [Fact]
    public async Task Names_that_are_not_cached_do_not_resolve()
    {
        Hub.AddRepo(RepoId).Add("tiny-Q4_0.gguf", 1000);
        await PullAsync(RepoId);
        var cache = new HubCache(CacheDirectory);

        Assert.False(cache.TryResolve(RepoId + ":Q8_0", out _));
        Assert.False(cache.TryResolve("acme/other-GGUF", out _));
        Assert.False(cache.TryResolve("/not/a/repo.gguf", out _));
        Assert.False(new HubCache(Path.Combine(CacheDirectory, "absent")).TryResolve(RepoId, out _));
    }

    [Fact]
    public async Task An_ambiguous_cached_name_is_an_error_not_a_miss()
    {
        var repo = Hub.AddRepo(RepoId);
        repo.Add("tiny-Q5_K_M.gguf", 1000);
        repo.Add("tiny-Q6_K.gguf", 1000);
        await PullAsync(RepoId + ":Q5_K_M");
        await PullAsync(RepoId + ":Q6_K");

        var error = Assert.Throws<HubException>(() => new HubCache(CacheDirectory).TryResolve(RepoId, out _));

        Assert.Equal(HubErrorKind.AmbiguousFile, error.Kind);
    }

    [Fact]
    public async Task A_failed_pull_leaves_nothing_that_resolves()
    {
        var file = Hub.AddRepo(RepoId).Add("tiny-Q4_0.gguf");
        file.ServeWrongBytes = true;
        await PullFailsAsync(RepoId);

        Assert.False(new HubCache(CacheDirectory).TryResolve(RepoId, out _));
        Assert.Empty(new HubCache(CacheDirectory).List());
    }

    [Fact]
    public async Task List_shows_repo_file_size_revision_commit_and_path()
    {
        var repo = Hub.AddRepo(RepoId);
        var file = repo.Add("sub/tiny-Q4_0.gguf", 12_345);
        var other = Hub.AddRepo("zeta/z-GGUF");
        other.Add("z-Q8_0.gguf", 100);
        await PullAsync(RepoId);
        await PullAsync("zeta/z-GGUF");
        Directory.CreateDirectory(Path.Combine(CacheDirectory, "datasets--a--b")); // huggingface_hub keeps datasets here too

        var models = new HubCache(CacheDirectory).List();

        Assert.Equal(2, models.Count);
        var first = models[0];
        Assert.Equal(RepoId, first.RepoId);
        Assert.Equal("sub/tiny-Q4_0.gguf", first.File);
        Assert.Equal(file.Content.Length, first.SizeBytes);
        Assert.Equal(repo.Commit, first.Commit);
        Assert.Equal(["main"], first.Revisions);
        Assert.Equal(SnapshotPath(RepoId, repo, "sub/tiny-Q4_0.gguf"), first.Path);
        Assert.Equal("zeta/z-GGUF", models[1].RepoId);
    }

    [Fact]
    public void List_of_a_missing_cache_is_empty() =>
        Assert.Empty(new HubCache(Path.Combine(CacheDirectory, "nope")).List());

    [Theory]
    [InlineData("../x")]
    [InlineData("a/../../x")]
    [InlineData("/x")]
    public void Snapshot_paths_cannot_leave_the_cache(string file)
    {
        var cache = new HubCache(CacheDirectory);
        var repo = ModelReference.Parse(RepoId);

        Assert.Equal(HubErrorKind.InvalidResponse,
            Assert.Throws<HubException>(() => cache.SnapshotPath(repo, new string('a', 40), file)).Kind);
    }
}
