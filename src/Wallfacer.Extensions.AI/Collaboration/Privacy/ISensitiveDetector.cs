namespace Wallfacer.Extensions.AI.Collaboration.Privacy;

/// <summary>Finds one kind of sensitive item. Detectors run locally and never call out.</summary>
public interface ISensitiveDetector
{
    /// <summary>A short name for logs and decisions, e.g. "payment-card".</summary>
    string Name { get; }

    IEnumerable<SensitiveFinding> Find(string text);
}
