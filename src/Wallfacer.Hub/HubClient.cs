using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Wallfacer.Hub;

/// <summary>
/// Pulls GGUF models from the Hugging Face hub into the hub cache with the hub's own protocol, as huggingface_hub
/// does: the file list from <c>/api/models/{repo}/revision/{rev}?blobs=true</c>, the bytes from
/// <c>/{repo}/resolve/{commit}/{file}</c> (a redirect to a CDN for LFS files), resumed with <c>Range</c> and checked
/// against the listed SHA-256. <c>HubClient.Http.cs</c> holds the HTTP exchange, <c>HubClient.Download.cs</c> the
/// resumable, hashed transfer of one blob.
/// </summary>
public sealed partial class HubClient : IDisposable
{
    public const string DefaultRevision = "main";

    private readonly HubOptions _options;
    private readonly HttpClient _http;
    private readonly ILogger _logger;

    public HubClient(HubOptions options, ILogger? logger = null)
    {
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        Cache = new HubCache(options.CacheDirectory, _logger);
        // Redirects are followed by hand: the first reply carries the file's ETag and commit, and the token must
        // not follow a redirect to another host (the CDN).
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = options.ConnectTimeout,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }; // stalls are caught per read instead
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("wallfacer", typeof(HubClient).Assembly.GetName().Version?.ToString(3)));
    }

    public HubCache Cache { get; }

    /// <summary>The commit <paramref name="revision"/> points at and the files in it.</summary>
    public async Task<RepoInfo> GetRepoInfoAsync(ModelReference repo, string revision = DefaultRevision, CancellationToken cancellationToken = default)
    {
        ValidateRevision(revision);
        var url = EndpointUrl($"api/models/{repo.Owner}/{repo.Name}/revision/{Uri.EscapeDataString(revision)}?blobs=true");
        string what = $"{repo.RepoId} (revision {revision})";
        using var reply = await SendAsync(url, rangeStart: null, what, cancellationToken).ConfigureAwait(false);
        ThrowIfFailed(reply.Response, what, repo.RepoId);
        return await RepoInfoReader.ReadAsync(repo.RepoId, reply.Response.Content, _options.MaxMetadataBytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Downloads the GGUF model <paramref name="reference"/> names (see <see cref="GgufSelector"/>) into the cache,
    /// resuming a partial download, and points <c>refs/{revision}</c> at its commit once every file is complete.
    /// Files already cached are not transferred again. On failure or cancellation the partial file stays as
    /// <c>blobs/{etag}.incomplete</c> for the next run to resume.
    /// </summary>
    public async Task<PullResult> PullAsync(ModelReference reference, string revision = DefaultRevision,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var info = await GetRepoInfoAsync(reference, revision, cancellationToken).ConfigureAwait(false);
        var files = ChooseFiles(reference, info);
        _logger.LogInformation("Pulling {Files} from {Repo} at {Commit}.", string.Join(", ", files.Select(f => f.Path)), reference.RepoId, info.Commit);
        var pulled = new List<PulledFile>();
        foreach (var file in files)
            pulled.Add(await PullFileAsync(reference, info.Commit, file, progress, cancellationToken).ConfigureAwait(false));
        Cache.WriteRef(reference, revision, info.Commit);
        return new PullResult(reference.RepoId, revision, info.Commit, pulled);
    }

    public void Dispose() => _http.Dispose();

    private static List<RepoFile> ChooseFiles(ModelReference reference, RepoInfo info)
    {
        var byPath = info.Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var paths = GgufSelector.Select(byPath.Keys, reference.FileOrQuant, reference.RepoId);
        if (GgufSplitName.TryParse(paths[0]) is { } split && paths.Count != split.Count)
            throw new HubException(HubErrorKind.InvalidResponse,
                $"{reference.RepoId} lists {paths.Count} of the {split.Count} parts of split model {paths[0]}; refusing an incomplete model.");
        return paths.Select(p => byPath[p]).ToList();
    }

    private async Task<PulledFile> PullFileAsync(ModelReference repo, string commit, RepoFile file,
        IProgress<DownloadProgress>? progress, CancellationToken ct)
    {
        string etag = file.Etag ?? throw new HubException(HubErrorKind.InvalidResponse,
            $"the hub lists {file.Path} in {repo.RepoId} without a sha256 or blobId; cannot name or verify it.");
        string blobPath = Cache.BlobPath(repo, etag);
        string snapshotPath = Cache.SnapshotPath(repo, commit, file.Path);
        if (File.Exists(snapshotPath) && File.Exists(blobPath) && new FileInfo(blobPath).Length == file.Size)
        {
            _logger.LogInformation("{File} is already cached at {Path}.", file.Path, snapshotPath);
            progress?.Report(new DownloadProgress(file.Path, file.Size, file.Size, 0));
            return new PulledFile(file.Path, snapshotPath, file.Size, Downloaded: false);
        }
        bool downloaded = false;
        if (!File.Exists(blobPath) || new FileInfo(blobPath).Length != file.Size)
        {
            await DownloadBlobAsync(repo, commit, file, blobPath, progress, ct).ConfigureAwait(false);
            downloaded = true;
        }
        Cache.LinkIntoSnapshot(blobPath, snapshotPath);
        return new PulledFile(file.Path, snapshotPath, file.Size, downloaded);
    }

    private static void ValidateRevision(string revision)
    {
        if (!SafeRelativePath.IsSafe(revision))
            throw new HubException(HubErrorKind.InvalidInput, $"not a usable revision: '{revision}' (a branch, tag or commit hash, e.g. main).");
    }

    /// <summary><paramref name="relative"/> under the endpoint, which may itself have a path (a mirror at https://host/hf).</summary>
    private Uri EndpointUrl(string relative) => new(_options.Endpoint.AbsoluteUri.TrimEnd('/') + "/" + relative);

    private Uri ResolveUrl(ModelReference repo, string commit, string file) =>
        EndpointUrl($"{repo.Owner}/{repo.Name}/resolve/{commit}/{string.Join('/', file.Split('/').Select(Uri.EscapeDataString))}");
}
