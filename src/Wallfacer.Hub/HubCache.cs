using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Wallfacer.Hub;

/// <summary>
/// The hub cache as huggingface_hub lays it out (<c>file_download.py</c>), so either tool finds the other's files:
/// <code>
/// {root}/models--{owner}--{name}/
///   blobs/{etag}                   file content, named by its SHA-256 (LFS) or git blob id
///   blobs/{etag}.incomplete        a download in progress, resumed from its length
///   snapshots/{commit}/{path}      a relative symlink to ../../blobs/{etag} (a copy where links fail)
///   refs/{revision}                the commit hash the revision pointed to when last pulled
/// </code>
/// This file writes the layout; <c>HubCache.Lookup.cs</c> reads it.
/// </summary>
public sealed partial class HubCache
{
    private readonly ILogger _logger;

    public HubCache(string rootDirectory, ILogger? logger = null)
    {
        RootDirectory = Path.GetFullPath(rootDirectory);
        _logger = logger ?? NullLogger.Instance;
    }

    public string RootDirectory { get; }

    public string RepoFolder(ModelReference repo) => Path.Combine(RootDirectory, repo.CacheFolderName);

    public string BlobPath(ModelReference repo, string etag) =>
        SafeRelativePath.Combine(Path.Combine(RepoFolder(repo), "blobs"), etag, "blob name");

    public static string IncompletePath(string blobPath) => blobPath + ".incomplete";

    public string SnapshotFolder(ModelReference repo, string commit) =>
        SafeRelativePath.Combine(Path.Combine(RepoFolder(repo), "snapshots"), commit, "commit hash");

    public string SnapshotPath(ModelReference repo, string commit, string file) =>
        SafeRelativePath.Combine(SnapshotFolder(repo, commit), file, "file name");

    /// <summary>
    /// Records that <paramref name="revision"/> points at <paramref name="commit"/>. Like huggingface_hub, a
    /// revision that is itself the commit hash gets no ref.
    /// </summary>
    public void WriteRef(ModelReference repo, string revision, string commit)
    {
        if (revision == commit)
            return;
        string path = SafeRelativePath.Combine(Path.Combine(RepoFolder(repo), "refs"), revision, "revision");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (File.Exists(path) && File.ReadAllText(path).Trim() == commit)
            return;
        File.WriteAllText(path, commit);
    }

    /// <summary>The commit <paramref name="revision"/> pointed to when last pulled; null when it was never pulled.</summary>
    public string? ReadRef(ModelReference repo, string revision)
    {
        if (!SafeRelativePath.IsSafe(revision))
            return null;
        string path = Path.Combine(RepoFolder(repo), "refs", revision);
        if (!File.Exists(path))
            return null;
        string commit = File.ReadAllText(path).Trim();
        return Hex.IsLowerHex(commit, 40) ? commit : null;
    }

    /// <summary>
    /// Makes <paramref name="snapshotPath"/> show <paramref name="blobPath"/>: a relative symlink, as huggingface_hub
    /// makes (the cache stays valid when moved), or a copy where the file system or OS refuses links (Windows
    /// without developer mode, some network drives). Returns true for a link.
    /// </summary>
    public bool LinkIntoSnapshot(string blobPath, string snapshotPath)
    {
        string folder = Path.GetDirectoryName(snapshotPath)!;
        Directory.CreateDirectory(folder);
        File.Delete(snapshotPath); // a stale copy or dangling link from an interrupted run; no-op when absent
        try
        {
            File.CreateSymbolicLink(snapshotPath, Path.GetRelativePath(folder, blobPath));
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            _logger.LogWarning("Could not create a symlink at {SnapshotPath} ({Reason}); copying the blob instead.", snapshotPath, ex.Message);
            string temporary = snapshotPath + ".copying";
            File.Copy(blobPath, temporary, overwrite: true);
            File.Move(temporary, snapshotPath, overwrite: true);
            return false;
        }
    }
}
