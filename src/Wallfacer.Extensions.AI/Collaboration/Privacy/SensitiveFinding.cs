namespace Wallfacer.Extensions.AI.Collaboration.Privacy;

/// <summary>One sensitive item found in a text: where it is, what it is, and which detector said so.</summary>
public sealed record SensitiveFinding(SensitiveKind Kind, int Start, int Length, string Value, string Detector)
{
    public int End => Start + Length;
}
