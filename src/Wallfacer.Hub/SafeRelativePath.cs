namespace Wallfacer.Hub;

/// <summary>
/// File names and revisions come from the server and end up as paths under the cache; this keeps a hostile or
/// broken reply from writing outside it (<c>../../.bashrc</c>, <c>/etc/passwd</c>, <c>C:\x</c>, <c>a\..\..\b</c>).
/// </summary>
internal static class SafeRelativePath
{
    private const int MaxLength = 1024;

    /// <summary>
    /// True for a forward-slash relative path whose segments are ordinary names: not empty, not <c>.</c> or
    /// <c>..</c>, no backslash, colon or control character.
    /// </summary>
    public static bool IsSafe(string? path)
    {
        if (string.IsNullOrEmpty(path) || path.Length > MaxLength)
            return false;
        foreach (string segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == "..")
                return false;
            if (segment.Any(c => c == '\\' || c == ':' || char.IsControl(c)))
                return false;
        }
        return true;
    }

    /// <summary>
    /// <paramref name="root"/> joined with <paramref name="relative"/>, after checking that the result stays inside
    /// <paramref name="root"/>; <see cref="HubErrorKind.InvalidResponse"/> otherwise.
    /// </summary>
    public static string Combine(string root, string relative, string what)
    {
        if (!IsSafe(relative))
            throw Unsafe(relative, what);
        string fullRoot = Path.GetFullPath(root);
        string full = Path.GetFullPath(Path.Combine(fullRoot, relative));
        string rootWithSeparator = Path.EndsInDirectorySeparator(fullRoot) ? fullRoot : fullRoot + Path.DirectorySeparatorChar;
        if (!full.StartsWith(rootWithSeparator, StringComparison.Ordinal))
            throw Unsafe(relative, what);
        return full;
    }

    private static HubException Unsafe(string relative, string what) =>
        new(HubErrorKind.InvalidResponse, $"refusing unsafe {what} from the server: '{relative}' (it would leave the cache folder).");
}
