using Wallfacer.TestSupport;

namespace Wallfacer.Hub.Tests;

/// <summary>Each test: its own fake hub on loopback and its own empty cache folder (a temp HF_HOME/hub).</summary>
public abstract class HubTestBase : IAsyncLifetime
{
    protected FakeHub Hub { get; private set; } = null!;

    protected string CacheDirectory { get; } = Path.Combine(TestPaths.NewTempDir(), "hub");

    public async Task InitializeAsync() => Hub = await FakeHub.StartAsync();

    public async Task DisposeAsync() => await Hub.DisposeAsync();

    protected HubOptions Options(string? token = null) => new()
    {
        Endpoint = Hub.Endpoint,
        Token = token,
        CacheDirectory = CacheDirectory,
        ReadTimeout = TimeSpan.FromSeconds(10),
    };

    protected HubClient Client(string? token = null) => new(Options(token));

    protected async Task<PullResult> PullAsync(string reference, string? token = null, IProgress<DownloadProgress>? progress = null,
        CancellationToken ct = default)
    {
        using var client = Client(token);
        return await client.PullAsync(ModelReference.Parse(reference), progress: progress, cancellationToken: ct);
    }

    protected async Task<HubException> PullFailsAsync(string reference, string? token = null) =>
        await Assert.ThrowsAsync<HubException>(() => PullAsync(reference, token));

    protected string RepoFolder(string repoId) => Path.Combine(CacheDirectory, "models--" + repoId.Replace("/", "--", StringComparison.Ordinal));

    protected string BlobPath(string repoId, FakeFile file) => Path.Combine(RepoFolder(repoId), "blobs", file.Sha256);

    protected string SnapshotPath(string repoId, FakeRepo repo, string file) => Path.Combine(RepoFolder(repoId), "snapshots", repo.Commit, file);
}

/// <summary>Applies reports synchronously, in order (Progress&lt;T&gt; posts them to the thread pool).</summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
