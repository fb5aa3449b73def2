namespace Wallfacer.Inference.Templates;

/// <summary>jinja's <c>namespace()</c>: the one mutable object, so loops can carry state out via <c>set ns.x</c>.</summary>
internal sealed class Namespace
{
    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}
