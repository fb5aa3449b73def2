using System.Text.RegularExpressions;

namespace Wallfacer.Hub;

/// <summary>
/// llama.cpp's <c>gguf-split</c> naming, <c>{prefix}-00001-of-00003.gguf</c>: one model stored as several files.
/// </summary>
/// <param name="Prefix">The path up to the part number; the parts of one model share it.</param>
/// <param name="Index">This part's number, from 1.</param>
/// <param name="Count">How many parts the model has.</param>
internal sealed partial record GgufSplitName(string Prefix, int Index, int Count)
{
    /// <summary>The split name of <paramref name="path"/>, or null when it is a whole model in one file.</summary>
    public static GgufSplitName? TryParse(string path)
    {
        var m = SplitPattern().Match(path);
        if (!m.Success)
            return null;
        int index = int.Parse(m.Groups["index"].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);
        int count = int.Parse(m.Groups["count"].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);
        return index >= 1 && index <= count ? new GgufSplitName(m.Groups["prefix"].Value, index, count) : null;
    }

    [GeneratedRegex(@"^(?<prefix>.+)-(?<index>\d{5})-of-(?<count>\d{5})\.gguf$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SplitPattern();
}
