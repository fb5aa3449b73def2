namespace Wallfacer.Hub.Tests;

public class PullTests : HubTestBase
{
    private const string RepoId = "acme/tiny-GGUF";

    [Fact]
    public async Task A_fresh_pull_lays_out_blob_symlink_and_ref_as_huggingface_hub_does()
    {
        var repo = Hub.AddRepo(RepoId);
        var file = repo.Add("tiny-Q4_K_M.gguf", 300_000);
        repo.Add("README.md", "# tiny"u8.ToArray(), inGit: true);

        var result = await PullAsync(RepoId);

        string snapshot = SnapshotPath(RepoId, repo, file.Path);
        Assert.Equal(snapshot, result.ModelPath);
        Assert.Equal(repo.Commit, result.Commit);
        Assert.True(result.Files.Single().Downloaded);
        Assert.Equal(file.Content, await File.ReadAllBytesAsync(snapshot));
        Assert.Equal(Path.Combine("..", "..", "blobs", file.Sha256), new FileInfo(snapshot).LinkTarget); // relative, as huggingface_hub makes it
        Assert.Equal(file.Content, await File.ReadAllBytesAsync(BlobPath(RepoId, file)));
        Assert.Equal(repo.Commit, await File.ReadAllTextAsync(Path.Combine(RepoFolder(RepoId), "refs", "main")));
        Assert.False(File.Exists(BlobPath(RepoId, file) + ".incomplete"));
        Assert.False(File.Exists(SnapshotPath(RepoId, repo, "README.md"))); // only the model is pulled
    }

    [Fact]
    public async Task The_token_goes_to_the_hub_but_not_to_the_CDN_it_redirects_to()
    {
        Hub.RequiredToken = "hf_secret";
        var file = Hub.AddRepo(RepoId).Add("tiny-Q8_0.gguf");

        await PullAsync(RepoId, token: "hf_secret");

        Assert.All(Hub.Requests.Where(r => !r.Path.StartsWith("/blobs/", StringComparison.Ordinal)),
            r => Assert.Equal("Bearer hf_secret", r.Authorization));
        Assert.Equal("", Assert.Single(Hub.BlobRequests).Authorization);
        Assert.True(File.Exists(BlobPath(RepoId, file)));
    }

    [Fact]
    public async Task A_cut_connection_is_resumed_with_a_range_request_for_the_remainder_only()
    {
        var repo = Hub.AddRepo(RepoId);
        var file = repo.Add("tiny-Q4_0.gguf", 400_000);
        file.CutAfter = 150_000;
        file.CutsLeft = 1;

        var error = await PullFailsAsync(RepoId);
        Assert.Equal(HubErrorKind.Network, error.Kind);
        Assert.Contains("run the same command again to resume", error.Message);
        long kept = new FileInfo(BlobPath(RepoId, file) + ".incomplete").Length;
        Assert.InRange(kept, 1, 150_000);
        Assert.False(File.Exists(SnapshotPath(RepoId, repo, file.Path)));

        var result = await PullAsync(RepoId);

        var resumed = Hub.BlobRequests.Last();
        Assert.Equal($"bytes={kept}-", resumed.Range);
        Assert.Equal(file.Content.Length - kept, resumed.BytesSent);
        Assert.Equal(file.Content, await File.ReadAllBytesAsync(result.ModelPath));
    }

    [Fact]
    public async Task A_server_that_ignores_the_range_gets_a_full_restart_not_a_corrupt_file()
    {
        var file = Hub.AddRepo(RepoId).Add("tiny-Q4_0.gguf", 300_000);
        file.CutAfter = 100_000;
        file.CutsLeft = 1;
        await PullFailsAsync(RepoId);
        file.IgnoreRange = true;

        var result = await PullAsync(RepoId);

        Assert.Equal(file.Content, await File.ReadAllBytesAsync(result.ModelPath));
        Assert.Equal(file.Content.Length, Hub.BlobRequests.Last().BytesSent);
    }

    [Fact]
    public async Task Wrong_bytes_are_rejected_kept_as_incomplete_and_replaced_by_the_next_pull()
    {
        var repo = Hub.AddRepo(RepoId);
        var file = repo.Add("tiny-Q4_K_M.gguf");
        file.ServeWrongBytes = true;

        var error = await PullFailsAsync(RepoId);

        Assert.Equal(HubErrorKind.ChecksumMismatch, error.Kind);
        Assert.Contains("checksum mismatch", error.Message);
        Assert.Contains(file.Sha256, error.Message);
        Assert.True(File.Exists(BlobPath(RepoId, file) + ".incomplete"));
        Assert.False(File.Exists(BlobPath(RepoId, file)));
        Assert.False(File.Exists(SnapshotPath(RepoId, repo, file.Path)));
        Assert.False(File.Exists(Path.Combine(RepoFolder(RepoId), "refs", "main")));

        file.ServeWrongBytes = false;
        var result = await PullAsync(RepoId);
        Assert.Equal(file.Content, await File.ReadAllBytesAsync(result.ModelPath));
    }

    [Fact]
    public async Task Cancellation_keeps_the_partial_file_and_the_next_pull_resumes_it()
    {
        var repo = Hub.AddRepo(RepoId);
        var file = repo.Add("tiny-Q4_0.gguf", 300_000);
        file.StallAfter = 120_000;
        using var cts = new CancellationTokenSource();
        long reported = 0;
        var progress = new InlineProgress<DownloadProgress>(p =>
        {
            reported = p.BytesDone;
            cts.Cancel();
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PullAsync(RepoId, progress: progress, ct: cts.Token));

        string partial = BlobPath(RepoId, file) + ".incomplete";
        Assert.True(reported > 0);
        Assert.Equal(reported, new FileInfo(partial).Length);
        Assert.False(File.Exists(SnapshotPath(RepoId, repo, file.Path)));

        file.StallAfter = null;
        var result = await PullAsync(RepoId);
        Assert.Equal($"bytes={reported}-", Hub.BlobRequests.Last().Range);
        Assert.Equal(file.Content, await File.ReadAllBytesAsync(result.ModelPath));
    }

    [Fact]
    public async Task Progress_reports_bytes_done_total_and_speed_up_to_the_whole_file()
    {
        var file = Hub.AddRepo(RepoId).Add("tiny-Q4_0.gguf", 300_000);
        var reports = new List<DownloadProgress>();

        await PullAsync(RepoId, progress: new InlineProgress<DownloadProgress>(reports.Add));

        Assert.NotEmpty(reports);
        Assert.All(reports, r => Assert.Equal(file.Content.Length, r.TotalBytes));
        Assert.Equal(file.Content.Length, reports[^1].BytesDone);
        Assert.True(reports[^1].IsComplete);
        Assert.True(reports[^1].BytesPerSecond > 0);
    }

    [Fact]
    public async Task A_second_pull_of_a_cached_model_transfers_nothing()
    {
        Hub.AddRepo(RepoId).Add("tiny-Q4_0.gguf");
        await PullAsync(RepoId);
        int blobRequests = Hub.BlobRequests.Count();

        var again = await PullAsync(RepoId);

        Assert.False(again.Files.Single().Downloaded);
        Assert.Equal(blobRequests, Hub.BlobRequests.Count());
    }

    [Fact]
    public async Task A_split_model_is_pulled_whole_and_the_first_part_is_the_model_path()
    {
        var repo = Hub.AddRepo(RepoId);
        var parts = Enumerable.Range(1, 3).Select(i => repo.Add($"Q4_K_M/tiny-Q4_K_M-0000{i}-of-00003.gguf", 50_000)).ToList();
        repo.Add("tiny-Q8_0.gguf", 10_000);

        var result = await PullAsync(RepoId + ":Q4_K_M");

        Assert.Equal(parts.Select(p => p.Path), result.Files.Select(f => f.File));
        Assert.Equal(SnapshotPath(RepoId, repo, parts[0].Path), result.ModelPath);
        foreach (var part in parts)
            Assert.Equal(part.Content, await File.ReadAllBytesAsync(SnapshotPath(RepoId, repo, part.Path)));
    }

    [Fact]
    public async Task A_split_model_with_a_missing_part_is_refused()
    {
        var repo = Hub.AddRepo(RepoId);
        repo.Add("tiny-Q4_K_M-00001-of-00002.gguf", 1000);

        var error = await PullFailsAsync(RepoId);

        Assert.Equal(HubErrorKind.InvalidResponse, error.Kind);
        Assert.Contains("1 of the 2 parts", error.Message);
    }

    [Fact]
    public async Task A_small_file_kept_in_git_is_named_by_its_blob_id_and_checked_by_size()
    {
        var repo = Hub.AddRepo(RepoId);
        var file = repo.Add("tiny.gguf", new byte[5000], inGit: true);

        var result = await PullAsync(RepoId);

        Assert.Equal(file.Content, await File.ReadAllBytesAsync(result.ModelPath));
        Assert.True(File.Exists(Path.Combine(RepoFolder(RepoId), "blobs", file.BlobId)));
    }

    [Fact]
    public async Task Pulling_a_named_revision_records_its_ref()
    {
        var repo = Hub.AddRepo(RepoId);
        repo.Add("tiny-Q4_0.gguf");
        using var client = Client();

        var result = await client.PullAsync(ModelReference.Parse(RepoId), revision: repo.Commit);

        Assert.Equal(repo.Commit, result.Commit);
        Assert.False(Directory.Exists(Path.Combine(RepoFolder(RepoId), "refs"))); // a commit hash needs no ref
        Assert.True(client.Cache.TryResolve(RepoId, out string? path)); // found as the only snapshot
        Assert.Equal(result.ModelPath, path);
    }
}
