using System.Text;

namespace Wallfacer.Conformance.Tokenizers;

/// <summary>
/// Collects every mismatch found for one vocabulary, so a failing test reports them all in one
/// readable assertion message instead of stopping at the first.
/// </summary>
internal sealed class MismatchReport(string vocabulary)
{
    private const int MaxListed = 40;
    private readonly List<string> lines = [];

    public int Compared { get; private set; }

    public int Count => lines.Count;

    /// <summary>Records a comparison of two sequences; on a difference, notes where they first diverge.</summary>
    public void Compare<T>(string what, ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, Func<T[], string> show)
        where T : IEquatable<T>
    {
        Compared++;
        if (expected.SequenceEqual(actual))
            return;
        int first = 0;
        while (first < expected.Length && first < actual.Length && expected[first].Equals(actual[first]))
            first++;
        lines.Add($"{what}: first difference at position {first} (llama.cpp length {expected.Length}, ours {actual.Length}); " +
                  $"llama.cpp [{show(Window(expected, first))}] vs ours [{show(Window(actual, first))}]");
    }

    /// <summary>Records a failure that is not a sequence difference (e.g. an exception from our code).</summary>
    public void Fail(string what, string message)
    {
        Compared++;
        lines.Add($"{what}: {message}");
    }

    /// <summary>Fails with every collected mismatch (the first <see cref="MaxListed"/> listed).</summary>
    public void AssertNone()
    {
        if (lines.Count == 0)
            return;
        var message = new StringBuilder();
        message.AppendLine($"{vocabulary}: {lines.Count} of {Compared} comparisons differ from llama.cpp:");
        foreach (string line in lines.Take(MaxListed))
            message.AppendLine("  " + line);
        if (lines.Count > MaxListed)
            message.AppendLine($"  … and {lines.Count - MaxListed} more.");
        Assert.Fail(message.ToString());
    }

    /// <summary>A few elements around <paramref name="index"/>, to show the divergence in context.</summary>
    private static T[] Window<T>(ReadOnlySpan<T> values, int index)
    {
        int start = Math.Max(0, index - 2);
        int end = Math.Min(values.Length, index + 4);
        return start >= end ? [] : values[start..end].ToArray();
    }

    public static string Ids(int[] ids) => string.Join(' ', ids);

    public static string Hex(byte[] bytes) => Convert.ToHexString(bytes);

    /// <summary>The start of a text, with control characters and lone surrogates escaped, for naming a case.</summary>
    public static string Preview(string text)
    {
        const int MaxChars = 24;
        var builder = new StringBuilder();
        for (int i = 0; i < text.Length && i < MaxChars; i++)
        {
            char c = text[i];
            bool paired = char.IsHighSurrogate(c) ? i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])
                        : char.IsLowSurrogate(c) && i > 0 && char.IsHighSurrogate(text[i - 1]);
            builder.Append(char.IsControl(c) || (char.IsSurrogate(c) && !paired) ? $"\\u{(int)c:x4}" : c.ToString());
        }
        return text.Length > MaxChars ? builder + "…" : builder.ToString();
    }
}
