using System.Text.RegularExpressions;

namespace Wallfacer.Hub;

/// <summary>
/// Picks the GGUF model to use from a repository's file list, the way llama.cpp's <c>-hf repo:quant</c> does
/// (<c>common/download.cpp</c>, <c>find_best_model</c> and <c>get_split_files</c>):
/// <list type="bullet">
/// <item>sidecar files (<c>mmproj</c>, <c>imatrix</c>, <c>mtp-</c>, … in the file name) are not models;</item>
/// <item>a split model (<c>-00001-of-00003.gguf</c>) is chosen whole: every part is returned;</item>
/// <item>a selector ending in <c>.gguf</c> or holding a <c>/</c> is a file path; otherwise a quantization tag,
///   matched case-insensitively where it is followed by <c>.</c> or <c>-</c> (so <c>Q4_K</c> does not pick
///   <c>Q4_K_M</c>) and not preceded by a letter or digit (so <c>Q4_XS</c> does not pick <c>IQ4_XS</c>);</item>
/// <item>with no selector: the only model, else the first of <see cref="PreferredTags"/> that matches.</item>
/// </list>
/// Unlike llama.cpp, which takes the first match in listing order, several matches are an error that lists them:
/// a download of gigabytes should not hinge on the order of a JSON array.
/// </summary>
public static class GgufSelector
{
    /// <summary>Tags tried in order when no file is named: the usual size/quality trade-off, then smaller, then finer.</summary>
    public static readonly IReadOnlyList<string> PreferredTags = ["Q4_K_M", "Q4_0", "Q8_0"];

    // Substrings of the file name that mark a GGUF as a sidecar, as llama.cpp's gguf_filename_is_model (case-sensitive there too).
    private static readonly string[] SidecarMarkers = ["mmproj", "imatrix", "mtp-", "eagle3-", "dflash-", "dspark-"];

    /// <summary>
    /// The file paths to download for <paramref name="fileOrQuant"/> among <paramref name="paths"/>: one path, or
    /// every part of a split model in part order. Throws <see cref="HubErrorKind.NoMatchingFile"/> with the choices
    /// when nothing matches, <see cref="HubErrorKind.AmbiguousFile"/> when several models do.
    /// </summary>
    public static IReadOnlyList<string> Select(IReadOnlyCollection<string> paths, string? fileOrQuant, string repoId)
    {
        var models = GroupModels(paths);
        if (fileOrQuant != null && IsFilePath(fileOrQuant))
            return SelectFile(paths, fileOrQuant, repoId);
        if (fileOrQuant != null)
            return Single(models.Where(m => MatchesTag(m[0], fileOrQuant)).ToList(), repoId, $"'{fileOrQuant}'")
                ?? throw NoMatch($"no GGUF model in {repoId} matches '{fileOrQuant}'", models);

        if (models.Count == 1)
            return models[0];
        if (models.Count == 0)
            throw new HubException(HubErrorKind.NoMatchingFile, $"{repoId} has no GGUF model files.");
        foreach (string tag in PreferredTags)
        {
            var chosen = Single(models.Where(m => MatchesTag(m[0], tag)).ToList(), repoId, $"the default {tag}");
            if (chosen != null)
                return chosen;
        }
        throw NoMatch($"{repoId} has several GGUF models and none is {string.Join(", ", PreferredTags)}; name one as {repoId}:FILE or {repoId}:QUANT",
            models, HubErrorKind.AmbiguousFile);
    }

    /// <summary>True when <paramref name="path"/> is a GGUF that is a model, not a projector or draft sidecar.</summary>
    public static bool IsModelFile(string path)
    {
        if (!path.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase))
            return false;
        string name = path[(path.LastIndexOf('/') + 1)..];
        return !SidecarMarkers.Any(marker => name.Contains(marker, StringComparison.Ordinal));
    }

    /// <summary>True when <paramref name="tag"/> appears in <paramref name="path"/> as a quantization tag (see the class summary).</summary>
    public static bool MatchesTag(string path, string tag) =>
        Regex.IsMatch(path, @"(?<![A-Za-z0-9])" + Regex.Escape(tag) + "(?=[.-])",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static bool IsFilePath(string selector) =>
        selector.Contains('/', StringComparison.Ordinal) || selector.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase);

    private static IReadOnlyList<string> SelectFile(IReadOnlyCollection<string> paths, string file, string repoId)
    {
        string? exact = paths.FirstOrDefault(p => p == file)
            ?? paths.SingleOrDefault(p => string.Equals(p, file, StringComparison.OrdinalIgnoreCase));
        if (exact == null)
            throw NoMatch($"{repoId} has no file '{file}'", GroupModels(paths));
        if (!exact.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase))
            throw new HubException(HubErrorKind.NoMatchingFile, $"'{exact}' in {repoId} is not a GGUF file.");
        return SplitParts(paths, exact);
    }

    /// <summary>The one model in <paramref name="matches"/>; null for none; an error naming them all for several.</summary>
    private static IReadOnlyList<string>? Single(List<IReadOnlyList<string>> matches, string repoId, string what) =>
        matches.Count switch
        {
            0 => null,
            1 => matches[0],
            _ => throw NoMatch($"{what} matches several GGUF models in {repoId}; name one as {repoId}:FILE", matches, HubErrorKind.AmbiguousFile),
        };

    /// <summary>Every model in <paramref name="paths"/>, a split model as its parts in order, sorted by path.</summary>
    private static List<IReadOnlyList<string>> GroupModels(IReadOnlyCollection<string> paths) =>
        paths.Where(IsModelFile)
            .GroupBy(p => GgufSplitName.TryParse(p) is { } split ? split.Prefix + "\0" + split.Count : p, StringComparer.Ordinal)
            .Select(g => (IReadOnlyList<string>)g.OrderBy(PartIndex).ThenBy(p => p, StringComparer.Ordinal).ToList())
            .OrderBy(g => g[0], StringComparer.Ordinal)
            .ToList();

    private static IReadOnlyList<string> SplitParts(IReadOnlyCollection<string> paths, string file)
    {
        if (GgufSplitName.TryParse(file) is not { } split)
            return [file];
        return paths.Where(p => GgufSplitName.TryParse(p) is { } other && other.Prefix == split.Prefix && other.Count == split.Count)
            .OrderBy(PartIndex).ToList();
    }

    private static int PartIndex(string path) => GgufSplitName.TryParse(path)?.Index ?? 1;

    private static HubException NoMatch(string message, IEnumerable<IReadOnlyList<string>> choices,
        HubErrorKind kind = HubErrorKind.NoMatchingFile)
    {
        var names = choices.Select(Describe).ToList();
        string list = names.Count == 0 ? " (it has no GGUF models)" : ". Choices: " + string.Join(", ", names);
        return new HubException(kind, message + list + ".");
    }

    private static string Describe(IReadOnlyList<string> model) =>
        model.Count == 1 ? model[0] : $"{model[0]} ({model.Count} parts)";
}
