using System.Text.RegularExpressions;

namespace Wallfacer.Extensions.AI.Collaboration;

/// <summary>
/// What a <see cref="TrainedRouter"/> sees of a request before any generation: cheap text features that tend to
/// separate what a small model answers well (short, factual, one question) from what it does not (long, multi-step
/// reasoning, code, arithmetic). Each is scaled to roughly 0..1 so one learning rate suits all.
/// </summary>
public static partial class RouterFeatures
{
    /// <summary>The feature names, in the order of <see cref="Of"/>.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["log_length", "sentences", "questions", "digits", "code", "reasoning_words", "non_ascii"];

    public static double[] Of(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        double length = Math.Max(1, prompt.Length);
        return
        [
            Math.Log(1 + prompt.Length) / 10,
            Math.Min(1, SentenceEnd().Count(prompt) / 10.0),
            Math.Min(1, prompt.Count(c => c == '?') / 3.0),
            prompt.Count(char.IsAsciiDigit) / length,
            CodeMarks().IsMatch(prompt) ? 1 : 0,
            Math.Min(1, ReasoningWords().Count(prompt) / 3.0),
            prompt.Count(c => c > 127) / length,
        ];
    }

    [GeneratedRegex(@"[.!?](\s|$)")]
    private static partial Regex SentenceEnd();

    [GeneratedRegex(@"```|;\s*$|\{\s*$|\bdef |\bclass |\breturn\b|=>", RegexOptions.Multiline)]
    private static partial Regex CodeMarks();

    [GeneratedRegex(@"\b(why|explain|prove|derive|compare|analy[sz]e|step by step|calculate|solve|evaluate|justify)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ReasoningWords();
}
