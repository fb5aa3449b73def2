namespace Wallfacer.Inference.Templates;

/// <summary>Evaluated call arguments, with Python-style lookup by position or keyword.</summary>
internal sealed class Arguments(List<object?> positional, List<KeyValuePair<string, object?>> named)
{
    public static readonly Arguments None = new([], []);

    public List<object?> Positional { get; } = positional;

    public List<KeyValuePair<string, object?>> Named { get; } = named;

    public int Count => Positional.Count + Named.Count;

    public static Arguments Of(params object?[] positional) => new(new List<object?>(positional), []);

    /// <summary>The argument at <paramref name="index"/> or named <paramref name="name"/>.</summary>
    public bool TryGet(int index, string name, out object? value)
    {
        if (index >= 0 && index < Positional.Count)
        {
            value = Positional[index];
            return true;
        }
        foreach (var pair in Named)
        {
            if (pair.Key == name)
            {
                value = pair.Value;
                return true;
            }
        }
        value = null;
        return false;
    }

    public object? Get(int index, string name, object? fallback = null) =>
        TryGet(index, name, out var value) ? value : fallback;

    public object? Required(int index, string name, string function) =>
        TryGet(index, name, out var value)
            ? value
            : throw TemplateRenderException.Type($"{function}() missing required argument '{name}' (pos {index + 1})");

    public Arguments Skip(int count) => new(Positional.Skip(count).ToList(), Named);

    public Arguments Prepend(object? first)
    {
        var list = new List<object?>(Positional.Count + 1) { first };
        list.AddRange(Positional);
        return new Arguments(list, Named);
    }
}
