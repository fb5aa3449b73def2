namespace Wallfacer.Inference.Templates;

/// <summary>
/// A frame of variables. Lookups walk to the root; <c>set</c> writes to the innermost frame, so a
/// <c>set</c> inside a loop body is gone after the iteration, as in jinja2.
/// </summary>
internal sealed class Scope(Scope? parent)
{
    private Dictionary<string, object?>? _variables;

    public Scope? Parent { get; } = parent;

    public bool TryGet(string name, out object? value)
    {
        for (var scope = this; scope != null; scope = scope.Parent)
        {
            if (scope._variables != null && scope._variables.TryGetValue(name, out value))
                return true;
        }
        value = null;
        return false;
    }

    public void Set(string name, object? value) => (_variables ??= new(StringComparer.Ordinal))[name] = value;
}
