using System.Text;

namespace Wallfacer.Extensions.AI.Collaboration.Privacy;

/// <summary>
/// A text with its sensitive items replaced by placeholders (<c>[EMAIL_1]</c>, <c>[PAYMENT_CARD_1]</c>, …) that
/// can go to the cloud, and the map to put the originals back into the answer. The same value gets the same
/// placeholder everywhere in a conversation, so the remote model can still refer to it consistently.
/// </summary>
public sealed class Redaction
{
    private readonly Dictionary<string, string> _placeholderByValue = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _valueByPlaceholder = new(StringComparer.Ordinal);
    private readonly Dictionary<SensitiveKind, int> _counts = [];

    /// <summary>How many distinct sensitive values were replaced.</summary>
    public int Count => _valueByPlaceholder.Count;

    /// <summary>Placeholders and the kinds they stand for (never the values): safe to log or to report.</summary>
    public IEnumerable<string> Placeholders => _valueByPlaceholder.Keys;

    /// <summary>Replaces every finding in <paramref name="text"/> with its placeholder.</summary>
    public string Redact(string text, IReadOnlyList<SensitiveFinding> findings)
    {
        var output = new StringBuilder(text.Length);
        int position = 0;
        foreach (var finding in findings.OrderBy(f => f.Start))
        {
            if (finding.Start < position)
                continue;
            output.Append(text, position, finding.Start - position).Append(PlaceholderFor(finding));
            position = finding.End;
        }
        return output.Append(text, position, text.Length - position).ToString();
    }

    /// <summary>Puts the original values back wherever the answer repeats a placeholder.</summary>
    public string Restore(string text)
    {
        if (_valueByPlaceholder.Count == 0 || !text.Contains('['))
            return text;
        var output = new StringBuilder(text);
        foreach (var (placeholder, value) in _valueByPlaceholder)
            output.Replace(placeholder, value);
        return output.ToString();
    }

    private string PlaceholderFor(SensitiveFinding finding)
    {
        if (_placeholderByValue.TryGetValue(finding.Value, out string? existing))
            return existing;
        int n = _counts[finding.Kind] = _counts.GetValueOrDefault(finding.Kind) + 1;
        string placeholder = $"[{Label(finding.Kind)}_{n}]";
        _placeholderByValue[finding.Value] = placeholder;
        _valueByPlaceholder[placeholder] = finding.Value;
        return placeholder;
    }

    private static string Label(SensitiveKind kind) => kind switch
    {
        SensitiveKind.PaymentCard => "PAYMENT_CARD",
        SensitiveKind.NationalId => "NATIONAL_ID",
        SensitiveKind.PrivateKey => "PRIVATE_KEY",
        SensitiveKind.UserRule => "PRIVATE",
        _ => kind.ToString().ToUpperInvariant(),
    };
}
