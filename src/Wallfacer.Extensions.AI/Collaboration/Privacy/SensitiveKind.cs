namespace Wallfacer.Extensions.AI.Collaboration.Privacy;

/// <summary>What kind of sensitive item a finding is; the name also labels its redaction placeholder.</summary>
public enum SensitiveKind
{
    Email,
    Phone,
    PaymentCard,
    Iban,
    NationalId,
    Secret,
    PrivateKey,
    UserRule,
}
