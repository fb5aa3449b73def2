namespace Wallfacer.Inference.Grammar;

/// <summary>A grammar that does not parse or cannot be enforced; the message says where and why.</summary>
public sealed class GrammarException(string message) : Exception(message);
