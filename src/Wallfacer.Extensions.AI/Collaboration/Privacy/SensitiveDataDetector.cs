using System.Text.RegularExpressions;

namespace Wallfacer.Extensions.AI.Collaboration.Privacy;

/// <summary>
/// Runs every detector over a text and returns non-overlapping findings in order (on overlap the earlier
/// detector in the list wins, then the longer match). Built-ins plus user rules: regular expressions or
/// literal terms (project names, customer names) that must never leave the device.
/// </summary>
public sealed class SensitiveDataDetector
{
    private readonly IReadOnlyList<ISensitiveDetector> _detectors;

    public SensitiveDataDetector(IEnumerable<ISensitiveDetector>? detectors = null, PrivacyRules? rules = null)
    {
        var list = new List<ISensitiveDetector>(detectors ?? BuiltInDetectors.All);
        if (rules is not null)
            list.AddRange(rules.ToDetectors());
        _detectors = list;
    }

    /// <summary>The detectors in priority order.</summary>
    public IReadOnlyList<ISensitiveDetector> Detectors => _detectors;

    public IReadOnlyList<SensitiveFinding> Find(string text)
    {
        var all = new List<(SensitiveFinding Finding, int Priority)>();
        for (int i = 0; i < _detectors.Count; i++)
        {
            try
            {
                all.AddRange(_detectors[i].Find(text).Select(f => (f, i)));
            }
            catch (RegexMatchTimeoutException)
            {
                // A pathological input must not hang detection; a timed-out detector treats the whole text
                // as sensitive so the fail-safe is to keep it local.
                all.Add((new SensitiveFinding(SensitiveKind.UserRule, 0, text.Length, text, _detectors[i].Name + " (timed out)"), i));
            }
        }
        var kept = new List<SensitiveFinding>();
        foreach (var (finding, _) in all.OrderBy(x => x.Priority).ThenByDescending(x => x.Finding.Length))
        {
            if (!kept.Any(k => finding.Start < k.End && k.Start < finding.End))
                kept.Add(finding);
        }
        kept.Sort((a, b) => a.Start.CompareTo(b.Start));
        return kept;
    }
}

/// <summary>User-defined privacy rules: patterns and terms that are sensitive in this organisation.</summary>
public sealed class PrivacyRules
{
    /// <summary>Regular expressions (.NET syntax); each match is sensitive.</summary>
    public List<string> Patterns { get; set; } = [];

    /// <summary>Literal terms, matched case-insensitively as whole words.</summary>
    public List<string> Terms { get; set; } = [];

    internal IEnumerable<ISensitiveDetector> ToDetectors()
    {
        foreach (string pattern in Patterns)
            yield return new RegexDetector("rule:" + pattern, SensitiveKind.UserRule,
                new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(250)));
        foreach (string term in Terms.Where(t => t.Length > 0))
            yield return new RegexDetector("term:" + term, SensitiveKind.UserRule,
                new Regex(@"(?<!\w)" + Regex.Escape(term) + @"(?!\w)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(250)));
    }
}
