namespace Wallfacer.Hub;

/// <summary>What <see cref="HubClient.PullAsync"/> placed in the cache.</summary>
/// <param name="RepoId"><c>owner/name</c>.</param>
/// <param name="Revision">The revision asked for (branch, tag or commit).</param>
/// <param name="Commit">The commit it resolved to, which names the snapshot folder.</param>
/// <param name="Files">The model's files in part order: one, or every part of a split model.</param>
public sealed record PullResult(string RepoId, string Revision, string Commit, IReadOnlyList<PulledFile> Files)
{
    /// <summary>The path to load: the model file, or the first part of a split model.</summary>
    public string ModelPath => Files[0].Path;
}

/// <summary>One file of a pull.</summary>
/// <param name="File">Its path in the repository.</param>
/// <param name="Path">Its path in the snapshot folder.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="Downloaded">False when the file was already in the cache and nothing was transferred.</param>
public sealed record PulledFile(string File, string Path, long Size, bool Downloaded);
