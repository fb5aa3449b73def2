namespace Wallfacer.Hub;

/// <summary>One GGUF file in the hub cache, as <see cref="HubCache.List"/> finds it.</summary>
/// <param name="RepoId"><c>owner/name</c>.</param>
/// <param name="File">The file's path in the repository.</param>
/// <param name="SizeBytes">The size of the file's content (the blob, not the symlink).</param>
/// <param name="Commit">The snapshot's commit hash.</param>
/// <param name="Revisions">The refs (e.g. <c>main</c>) that point at <paramref name="Commit"/>; empty when none does.</param>
/// <param name="Path">The file's path in the snapshot folder, ready to open.</param>
public sealed record CachedModel(string RepoId, string File, long SizeBytes, string Commit, IReadOnlyList<string> Revisions, string Path);
