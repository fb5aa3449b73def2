using System.Text.RegularExpressions;

namespace Wallfacer.Extensions.AI.Collaboration.Privacy;

/// <summary>
/// A detector from a pattern and an optional validity check (checksums, ranges). When the pattern has a group
/// named <c>value</c>, only that part is the finding (e.g. the secret after <c>password=</c>).
/// </summary>
public class RegexDetector(string name, SensitiveKind kind, Regex pattern, Func<Match, bool>? isValid = null) : ISensitiveDetector
{
    public string Name { get; } = name;

    public IEnumerable<SensitiveFinding> Find(string text)
    {
        foreach (Match match in pattern.Matches(text))
        {
            if (isValid is not null && !isValid(match))
                continue;
            var part = match.Groups["value"] is { Success: true } value ? (Group)value : match;
            yield return new SensitiveFinding(kind, part.Index, part.Length, part.Value, Name);
        }
    }
}
