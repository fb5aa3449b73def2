using Wallfacer.Extensions.AI.Collaboration.Privacy;

namespace Wallfacer.Extensions.AI.Tests.Privacy;

public class SensitiveDataDetectorTests
{
    private static readonly SensitiveDataDetector Detector = new();

    /// <summary>Each text holds exactly one sensitive item (the second value), of the given kind.</summary>
    public static TheoryData<SensitiveKind, string, string> Positives => new()
    {
        { SensitiveKind.Email, "write to jane.doe+work@example.co.uk about it", "jane.doe+work@example.co.uk" },
        { SensitiveKind.Phone, "call me on +44 20 7946 0958 tomorrow", "+44 20 7946 0958" },
        { SensitiveKind.Phone, "office: (555) 123-4567", "(555) 123-4567" },
        { SensitiveKind.Phone, "my number is 415-555-0132.", "415-555-0132" },
        { SensitiveKind.Phone, "手机 13812345678 联系", "13812345678" },
        { SensitiveKind.PaymentCard, "card 4111 1111 1111 1111 exp 12/29", "4111 1111 1111 1111" },
        { SensitiveKind.PaymentCard, "pay with 5500-0000-0000-0004 please", "5500-0000-0000-0004" },
        { SensitiveKind.PaymentCard, "amex 378282246310005", "378282246310005" },
        { SensitiveKind.Iban, "IBAN DE89 3704 0044 0532 0130 00 for the rent", "DE89 3704 0044 0532 0130 00" },
        { SensitiveKind.Iban, "send to GB82WEST12345698765432", "GB82WEST12345698765432" },
        { SensitiveKind.NationalId, "SSN 123-45-6789 on file", "123-45-6789" },
        { SensitiveKind.NationalId, "身份证 11010519491231002X 号", "11010519491231002X" },
        { SensitiveKind.Secret, "use key sk-proj-abcdefghijklmnopqrstuvwx123456 for it", "sk-proj-abcdefghijklmnopqrstuvwx123456" },
        { SensitiveKind.Secret, "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE" },
        { SensitiveKind.Secret, "token ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_abcdefghijklmnopqrstuvwxyz0123456789" },
        { SensitiveKind.Secret, "db password = \"hunter2hunter2\" in prod", "hunter2hunter2" },
        { SensitiveKind.PrivateKey, "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----" },
    };

    [Theory]
    [MemberData(nameof(Positives))]
    public void Each_kind_of_sensitive_item_is_found(SensitiveKind kind, string text, string value)
    {
        var finding = Assert.Single(Detector.Find(text));
        Assert.Equal(kind, finding.Kind);
        Assert.Equal(value, finding.Value);
        Assert.Equal(value, text.Substring(finding.Start, finding.Length));
    }

    /// <summary>Look-alikes: right shape, wrong checksum or range, or an ordinary number.</summary>
    [Theory]
    [InlineData("card 4111 1111 1111 1112 is a typo")]           // Luhn fails
    [InlineData("order 1234567890123456 shipped")]                // Luhn fails
    [InlineData("IBAN DE89 3704 0044 0532 0130 01 (invalid)")]    // mod 97 fails
    [InlineData("SSN 000-12-3456 is not issued")]                 // area 000
    [InlineData("SSN 666-12-3456 is not issued")]                 // area 666
    [InlineData("id 110105194912310021 has a bad check digit")]   // MOD 11-2 fails
    [InlineData("the meeting is on 2025-03-14 at 10:30")]         // a date
    [InlineData("it cost 1 250 000 euros in 2024")]               // an amount
    [InlineData("version 10.0.14 of the package")]
    [InlineData("ask-me-anything is not a key")]
    [InlineData("the password field is required")]                // no value assigned
    [InlineData("email me at the usual address")]
    public void Look_alikes_are_not_reported(string text) => Assert.Empty(Detector.Find(text));

    [Fact]
    public void User_rules_add_patterns_and_whole_word_terms()
    {
        var detector = new SensitiveDataDetector(rules: new PrivacyRules { Patterns = [@"\bPRJ-\d{4}\b"], Terms = ["Bluebird"] });
        var found = detector.Find("Project bluebird (PRJ-2041) not bluebirds");
        Assert.Equal(["bluebird", "PRJ-2041"], found.Select(f => f.Value));
        Assert.All(found, f => Assert.Equal(SensitiveKind.UserRule, f.Kind));
    }

    [Fact]
    public void Redaction_replaces_values_consistently_and_restores_them()
    {
        string text = "Mail jane@example.com, card 4111 1111 1111 1111; again jane@example.com.";
        var redaction = new Redaction();
        string redacted = redaction.Redact(text, Detector.Find(text));
        Assert.Equal("Mail [EMAIL_1], card [PAYMENT_CARD_1]; again [EMAIL_1].", redacted);
        Assert.DoesNotContain("jane", redacted);
        Assert.Equal(2, redaction.Count);
        Assert.Equal("I wrote to jane@example.com.", redaction.Restore("I wrote to [EMAIL_1]."));
    }

    [Fact]
    public void Several_items_in_one_text_are_all_found_without_overlaps()
    {
        string text = "Jane (jane@example.com, +1 415 555 0132) paid with 4111111111111111 from DE89370400440532013000.";
        var kinds = Detector.Find(text).Select(f => f.Kind).ToArray();
        Assert.Equal([SensitiveKind.Email, SensitiveKind.Phone, SensitiveKind.PaymentCard, SensitiveKind.Iban], kinds);
    }
}
