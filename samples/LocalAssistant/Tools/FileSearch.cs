using System.Text;

namespace LocalAssistant.Tools;

/// <summary>
/// The <c>search_files</c> tool: finds lines containing a text (case-insensitive) in the files under a folder,
/// which must lie inside the root the user chose. Paths that leave the root — <c>..</c>, absolute paths elsewhere,
/// symbolic links pointing out — are refused; links met while walking are not followed; binary files are skipped.
/// Reading is bounded by <see cref="FileSearchLimits"/>, and the answer says when a limit cut the search short.
/// </summary>
public sealed class FileSearch
{
    private readonly string _root;
    private readonly string _realRoot; // the root with links resolved, to judge where a linked folder really lies
    private readonly FileSearchLimits _limits;

    /// <summary>Searches under <paramref name="root"/> (an existing directory), within <paramref name="limits"/>.</summary>
    public FileSearch(string root, FileSearchLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        if (!Directory.Exists(_root))
            throw new DirectoryNotFoundException($"The search root '{_root}' does not exist or is not a directory.");
        _realRoot = RealPath(_root);
        _limits = limits ?? new FileSearchLimits();
    }

    /// <summary>The root every search stays inside.</summary>
    public string Root => _root;

    /// <summary>Lines containing <paramref name="text"/> in files under <paramref name="folder"/>, one per line as <c>path:line: text</c>.</summary>
    public string Search(string folder, string text, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new ArgumentException("The text to search for is empty: give a word or phrase.", nameof(text));
        string start = ResolveInsideRoot(folder);
        var report = new SearchReport(_root, _limits);
        foreach (string file in Directory.EnumerateFiles(start, "*", WalkOptions))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!report.MayOpenAnotherFile())
                break;
            SearchFile(file, text, report);
            if (report.Full)
                break;
        }
        return report.ToString(text, RelativeToRoot(start));
    }

    /// <summary>
    /// <paramref name="folder"/> (relative to the root, or absolute) as a full path inside the root; anything that
    /// resolves outside it — also through a symbolic link — is an <see cref="UnauthorizedAccessException"/>.
    /// </summary>
    public string ResolveInsideRoot(string? folder)
    {
        string path = Path.GetFullPath(Path.Combine(_root, string.IsNullOrWhiteSpace(folder) ? "." : folder));
        if (!IsInside(path, _root))
            throw new UnauthorizedAccessException($"'{folder}' is outside the searchable folder {_root}; give a folder inside it.");
        if (!Directory.Exists(path))
            throw new DirectoryNotFoundException($"There is no folder '{folder}' under {_root}.");
        string real = RealPath(path);
        if (!IsInside(real, _realRoot))
            throw new UnauthorizedAccessException($"'{folder}' is a link to {real}, outside the searchable folder {_root}.");
        return path;
    }

    private static bool IsInside(string path, string root)
    {
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return path.Equals(root, comparison)
               || path.StartsWith(root + Path.DirectorySeparatorChar, comparison)
               || (root.EndsWith(Path.DirectorySeparatorChar) && path.StartsWith(root, comparison)); // the root is a drive or "/"
    }

    /// <summary>The path with every symbolic link along it resolved (a link anywhere in it could leave the root).</summary>
    private static string RealPath(string path)
    {
        string? parent = Path.GetDirectoryName(path);
        string resolvedParent = parent is null ? path : RealPath(parent);
        string current = parent is null ? path : Path.Combine(resolvedParent, Path.GetFileName(path));
        var target = new DirectoryInfo(current).ResolveLinkTarget(returnFinalTarget: true);
        return target is null ? current : Path.GetFullPath(target.FullName);
    }

    // Links are not followed while walking (a link inside the root may point anywhere); hidden folders such as .git
    // are skipped; unreadable entries are passed over rather than failing the search.
    private static readonly EnumerationOptions WalkOptions = new()
    {
        RecurseSubdirectories = true,
        IgnoreInaccessible = true,
        AttributesToSkip = FileAttributes.ReparsePoint | FileAttributes.Hidden | FileAttributes.System,
    };

    private void SearchFile(string file, string text, SearchReport report)
    {
        byte[] head;
        try
        {
            head = ReadHead(file, report.BytesAllowedForNextFile());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return; // a file that vanished or is locked is not the model's concern
        }
        report.Read(head.Length, truncated: head.Length == _limits.MaxBytesPerFile && new FileInfo(file).Length > head.Length);
        if (Array.IndexOf(head, (byte)0) >= 0)
            return; // binary
        string content = Encoding.UTF8.GetString(head);
        string[] lines = content.Split('\n');
        for (int i = 0; i < lines.Length && !report.Full; i++)
        {
            int at = lines[i].IndexOf(text, StringComparison.OrdinalIgnoreCase);
            if (at >= 0)
                report.Match(RelativeToRoot(file), i + 1, Excerpt(lines[i].TrimEnd('\r'), at));
        }
    }

    private static byte[] ReadHead(string file, int maxBytes)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var buffer = new byte[(int)Math.Min(maxBytes, stream.Length)];
        int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return read == buffer.Length ? buffer : buffer[..read];
    }

    private string Excerpt(string line, int matchAt)
    {
        int max = _limits.MaxLineLength;
        if (line.Length <= max)
            return line.Trim();
        int start = Math.Clamp(matchAt - max / 3, 0, line.Length - max);
        return (start > 0 ? "…" : "") + line.Substring(start, max).Trim() + (start + max < line.Length ? "…" : "");
    }

    private string RelativeToRoot(string path)
    {
        string relative = Path.GetRelativePath(_root, path);
        return relative == "." ? "." : relative.Replace(Path.DirectorySeparatorChar, '/');
    }
}
