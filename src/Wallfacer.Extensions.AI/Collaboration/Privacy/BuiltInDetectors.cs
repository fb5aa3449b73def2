using System.Text.RegularExpressions;

namespace Wallfacer.Extensions.AI.Collaboration.Privacy;

/// <summary>
/// The detectors on by default. Patterns are deliberately anchored on word boundaries and, where the
/// identifier carries a check digit, validated, so look-alikes (an invalid card number, an order id) pass.
/// Every pattern has a match timeout: user text can never make detection hang.
/// </summary>
public static partial class BuiltInDetectors
{
    public static IReadOnlyList<ISensitiveDetector> All { get; } =
    [
        new RegexDetector("private-key", SensitiveKind.PrivateKey, PrivateKey()),
        new RegexDetector("secret-token", SensitiveKind.Secret, SecretToken()),
        new RegexDetector("secret-assignment", SensitiveKind.Secret, SecretAssignment()),
        new RegexDetector("email", SensitiveKind.Email, Email()),
        new RegexDetector("iban", SensitiveKind.Iban, Iban(), m => Checksums.Iban(Compact(m.Value))),
        new RegexDetector("payment-card", SensitiveKind.PaymentCard, Card(), m => IsCard(Compact(m.Value))),
        new RegexDetector("us-ssn", SensitiveKind.NationalId, UsSsn(),
            m => Checksums.UsSocialSecurity(int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value))),
        new RegexDetector("cn-resident-id", SensitiveKind.NationalId, ChineseResidentId(), m => Checksums.ChineseResidentId(m.Value)),
        new RegexDetector("phone", SensitiveKind.Phone, Phone(), m => Digits(m.Value) is >= 10 and <= 15),
    ];

    private static string Compact(string value) => string.Concat(value.Where(char.IsLetterOrDigit));

    private static int Digits(string value) => value.Count(char.IsAsciiDigit);

    private static bool IsCard(string digits) => HasCardPrefixAndLength(digits) && Checksums.Luhn(digits);

    /// <summary>The issuer prefixes and lengths of the major networks (a digit run that passes Luhn by chance rarely fits).</summary>
    private static bool HasCardPrefixAndLength(string d)
    {
        int two = int.Parse(d.AsSpan(0, 2)), four = int.Parse(d.AsSpan(0, 4)), n = d.Length;
        return d[0] == '4' ? n is 13 or 16 or 19                                  // Visa
            : two is 34 or 37 ? n == 15                                           // American Express
            : two is >= 51 and <= 55 || four is >= 2221 and <= 2720 ? n == 16     // Mastercard
            : four == 6011 || two == 65 || four / 10 is >= 644 and <= 649 ? n is >= 16 and <= 19 // Discover
            : four is >= 3528 and <= 3589 ? n is >= 16 and <= 19                  // JCB
            : two == 62 ? n is >= 16 and <= 19                                    // UnionPay
            : two is 36 or 38 || four / 10 is >= 300 and <= 305 ? n is >= 14 and <= 19 // Diners Club
            : false;
    }

    [GeneratedRegex(@"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----[\s\S]*?-----END (?:[A-Z]+ )*PRIVATE KEY-----", RegexOptions.None, 250)]
    private static partial Regex PrivateKey();

    // Well-known token shapes: OpenAI/Anthropic (sk-…), GitHub (ghp_/gho_/ghs_/github_pat_), AWS access keys,
    // Slack (xox?-), Google API keys, Hugging Face (hf_…), JWTs.
    [GeneratedRegex(@"\b(?:sk-(?:ant-|proj-)?[A-Za-z0-9_\-]{20,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,}|(?:AKIA|ASIA)[A-Z0-9]{16}|xox[abposr]-[A-Za-z0-9\-]{10,}|AIza[A-Za-z0-9_\-]{35}|hf_[A-Za-z0-9]{30,}|eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,})", RegexOptions.None, 250)]
    private static partial Regex SecretToken();

    // password = "…", api_key: …, token=… (the value is the finding)
    [GeneratedRegex(@"(?i)\b(?:password|passwd|pwd|secret|api[_\-]?key|access[_\-]?token|auth[_\-]?token|client[_\-]?secret)\b\s*[:=]\s*[""']?(?<value>[^\s""']{6,})", RegexOptions.None, 250)]
    private static partial Regex SecretAssignment();

    [GeneratedRegex(@"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}\b", RegexOptions.None, 250)]
    private static partial Regex Email();

    [GeneratedRegex(@"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b", RegexOptions.None, 250)]
    private static partial Regex Iban();

    [GeneratedRegex(@"\b(?:\d[ \-]?){12,18}\d\b", RegexOptions.None, 250)]
    private static partial Regex Card();

    [GeneratedRegex(@"\b(\d{3})-(\d{2})-(\d{4})\b", RegexOptions.None, 250)]
    private static partial Regex UsSsn();

    [GeneratedRegex(@"\b\d{17}[\dXx]\b", RegexOptions.None, 250)]
    private static partial Regex ChineseResidentId();

    // Shapes that are phone numbers and not dates or amounts: international (+CC …), an area code in
    // parentheses, the North American 3-3-4 grouping, and Chinese mobile numbers (1[3-9] + 9 digits).
    [GeneratedRegex(@"(?<![\w+])(?:\+\d{1,3}[ \-.]?\d(?:[ \-.]?\d){6,13}|\(\d{2,4}\)[ \-.]?\d{3,4}[ \-.]?\d{3,4}|\d{3}[\-.]\d{3}[\-.]\d{4}|1[3-9]\d{9})(?!\w)", RegexOptions.None, 250)]
    private static partial Regex Phone();
}
