using System.Diagnostics.CodeAnalysis;

namespace Wallfacer.Hub;

/// <summary>Reading the cache: which models are there, and where a cached <c>owner/name[:FILE]</c> is on disk.</summary>
public sealed partial class HubCache
{
    private const string RepoFolderPrefix = "models--";
    private const string DefaultRevision = "main";

    /// <summary>
    /// The local path of <paramref name="reference"/> (<c>owner/name[:FILE-or-QUANT]</c>) in the snapshot that
    /// <c>refs/main</c> points at (or the only snapshot, when the model was pulled at a commit hash), chosen with
    /// <see cref="GgufSelector"/>. For a split model, the first part. Returns false when the text is not a model
    /// name or the model is not cached; throws <see cref="HubException"/> (<see cref="HubErrorKind.AmbiguousFile"/>)
    /// when several cached models match, because "not cached" would then send the user the wrong way.
    /// </summary>
    public bool TryResolve(string reference, [NotNullWhen(true)] out string? path)
    {
        path = null;
        if (!ModelReference.TryParse(reference, out var repo) || !Directory.Exists(RepoFolder(repo)))
            return false;
        string? commit = ReadRef(repo, DefaultRevision) ?? OnlySnapshot(repo);
        if (commit == null)
            return false;
        string snapshot = SnapshotFolder(repo, commit);
        var files = SnapshotFiles(snapshot);
        IReadOnlyList<string> parts;
        try
        {
            parts = GgufSelector.Select(files, repo.FileOrQuant, repo.RepoId);
        }
        catch (HubException ex) when (ex.Kind == HubErrorKind.NoMatchingFile)
        {
            return false;
        }
        if (GgufSplitName.TryParse(parts[0]) is { } split && parts.Count != split.Count)
            return false; // an interrupted pull of a split model
        path = SafeRelativePath.Combine(snapshot, parts[0], "file name");
        return true;
    }

    /// <summary>Every GGUF file in every snapshot of every model in the cache, sorted by repository and file.</summary>
    public IReadOnlyList<CachedModel> List()
    {
        var models = new List<CachedModel>();
        if (!Directory.Exists(RootDirectory))
            return models;
        foreach (string folder in Directory.EnumerateDirectories(RootDirectory, RepoFolderPrefix + "*"))
        {
            if (!ModelReference.TryParse(RepoIdOf(folder), out var repo))
                continue; // a dataset/space folder, or a name we would not have written
            var refs = ReadAllRefs(folder);
            string snapshots = Path.Combine(folder, "snapshots");
            if (!Directory.Exists(snapshots))
                continue;
            foreach (string snapshot in Directory.EnumerateDirectories(snapshots))
            {
                string commit = Path.GetFileName(snapshot);
                var revisions = refs.Where(r => r.Value == commit).Select(r => r.Key).Order(StringComparer.Ordinal).ToList();
                foreach (string file in SnapshotFiles(snapshot).Where(f => f.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)))
                {
                    string filePath = Path.Combine(snapshot, file);
                    models.Add(new CachedModel(repo.RepoId, file, ContentLength(filePath), commit, revisions, filePath));
                }
            }
        }
        return models.OrderBy(m => m.RepoId, StringComparer.OrdinalIgnoreCase).ThenBy(m => m.File, StringComparer.Ordinal).ToList();
    }

    /// <summary><c>models--owner--name</c> → <c>owner/name</c> (repo ids cannot contain "--", so the first one splits).</summary>
    private static string RepoIdOf(string folder)
    {
        string name = Path.GetFileName(folder)[RepoFolderPrefix.Length..];
        int split = name.IndexOf("--", StringComparison.Ordinal);
        return split < 0 ? name : name[..split] + "/" + name[(split + 2)..];
    }

    private string? OnlySnapshot(ModelReference repo)
    {
        string snapshots = Path.Combine(RepoFolder(repo), "snapshots");
        if (!Directory.Exists(snapshots))
            return null;
        var commits = Directory.GetDirectories(snapshots).Select(Path.GetFileName).ToList();
        return commits.Count == 1 && Hex.IsLowerHex(commits[0]!, 40) ? commits[0] : null;
    }

    /// <summary>Files under a snapshot folder as repository paths ('/'-separated), leaving out dangling links.</summary>
    private static List<string> SnapshotFiles(string snapshot)
    {
        if (!Directory.Exists(snapshot))
            return [];
        return Directory.EnumerateFiles(snapshot, "*", SearchOption.AllDirectories)
            .Where(File.Exists) // File.Exists follows the link: false for a link whose blob is gone
            .Select(f => Path.GetRelativePath(snapshot, f).Replace(Path.DirectorySeparatorChar, '/'))
            .ToList();
    }

    private static Dictionary<string, string> ReadAllRefs(string repoFolder)
    {
        var refs = new Dictionary<string, string>(StringComparer.Ordinal);
        string folder = Path.Combine(repoFolder, "refs");
        if (!Directory.Exists(folder))
            return refs;
        foreach (string file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            refs[Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/')] = File.ReadAllText(file).Trim();
        return refs;
    }

    /// <summary>The length of the content behind <paramref name="path"/>, following a symlink to its blob.</summary>
    private static long ContentLength(string path)
    {
        var target = File.ResolveLinkTarget(path, returnFinalTarget: true);
        return target is FileInfo blob ? blob.Length : new FileInfo(path).Length;
    }
}
