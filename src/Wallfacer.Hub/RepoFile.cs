namespace Wallfacer.Hub;

/// <summary>
/// One file of a repository at a commit, as <c>/api/models/{repo}/revision/{rev}?blobs=true</c> lists it.
/// </summary>
/// <param name="Path">The file's path in the repository (<c>rfilename</c>), validated by <see cref="SafeRelativePath"/>.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="Sha256">The SHA-256 of its content (<c>lfs.sha256</c>), lower-case hex; null for a file kept in git, not LFS.</param>
/// <param name="BlobId">The git blob id (<c>blobId</c>); the cache names a non-LFS blob after it.</param>
public sealed record RepoFile(string Path, long Size, string? Sha256, string? BlobId)
{
    /// <summary>
    /// The blob's name in the cache: the ETag the hub serves for it, which is the SHA-256 for an LFS file and the
    /// git blob id otherwise (huggingface_hub names blobs after the normalized ETag).
    /// </summary>
    public string? Etag => Sha256 ?? BlobId;
}

/// <summary>A repository at one commit: the commit hash and the files in it.</summary>
/// <param name="RepoId"><c>owner/name</c>.</param>
/// <param name="Commit">The 40-hex-digit commit the revision pointed to.</param>
/// <param name="Files">Every file at that commit.</param>
public sealed record RepoInfo(string RepoId, string Commit, IReadOnlyList<RepoFile> Files);
