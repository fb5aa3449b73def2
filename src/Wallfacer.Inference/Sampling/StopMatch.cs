namespace Wallfacer.Inference.Sampling;

/// <summary>What <see cref="StopStringMatcher.Push"/> found.</summary>
/// <param name="Text">Text that is safe to emit now (never part of a stop string).</param>
/// <param name="Stopped">True when a stop string completed; <paramref name="Text"/> is then everything before it.</param>
/// <param name="StopString">The stop string that completed, or null.</param>
public readonly record struct StopMatch(string Text, bool Stopped, string? StopString);
