namespace LocalAssistant.Tools;

/// <summary>How much one <c>search_files</c> call may read: a model's request must never walk a whole disk.</summary>
public sealed record FileSearchLimits
{
    /// <summary>Files opened per search; the search stops there and says so.</summary>
    public int MaxFiles { get; init; } = 500;

    /// <summary>Bytes read from the start of each file; the rest of a larger file is not searched.</summary>
    public int MaxBytesPerFile { get; init; } = 256 * 1024;

    /// <summary>Bytes read per search in total.</summary>
    public long MaxTotalBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>Matching lines reported per search.</summary>
    public int MaxMatches { get; init; } = 30;

    /// <summary>Characters of a matching line shown (around the match).</summary>
    public int MaxLineLength { get; init; } = 160;
}
