namespace Wallfacer.Inference.Templates;

/// <summary>The <c>loop</c> variable of a <c>{% for %}</c>: index, first/last, neighbours, <c>cycle</c>.</summary>
internal sealed class LoopContext(List<object?> items, int depth, Func<object?, string>? recurse) : ICallable
{
    private readonly List<object?> _items = items;
    private object? _lastChanged = Undefined.Plain;

    public int Index0 { get; set; }

    public int Index => Index0 + 1;

    public int Length => _items.Count;

    public int Depth { get; } = depth;

    /// <summary>For <c>{% for ... recursive %}</c>: renders the loop body over new items one level deeper.</summary>
    public Func<object?, string>? Recurse { get; } = recurse;

    public string Name => "loop";

    /// <summary><c>loop(children)</c> inside a recursive loop.</summary>
    public object? Call(Interpreter interpreter, Arguments arguments) =>
        Recurse == null
            ? throw TemplateRenderException.Type("Tried to call non recursive loop. Maybe you forgot the 'recursive' modifier.")
            : Recurse(arguments.Required(0, "iterable", "loop"));

    public object? GetAttribute(string name) => name switch
    {
        "index" => (long)Index,
        "index0" => (long)Index0,
        "revindex" => (long)(Length - Index0),
        "revindex0" => (long)(Length - Index0 - 1),
        "first" => Index0 == 0,
        "last" => Index0 == Length - 1,
        "length" => (long)Length,
        "depth" => (long)Depth,
        "depth0" => (long)(Depth - 1),
        "previtem" => Index0 > 0 ? _items[Index0 - 1] : Undefined.WithHint("there is no previous item"),
        "nextitem" => Index0 + 1 < Length ? _items[Index0 + 1] : Undefined.WithHint("there is no next item"),
        "cycle" => new BoundMethod(this, "cycle", (_, _, args) => Cycle(args)),
        "changed" => new BoundMethod(this, "changed", (_, _, args) => Changed(args)),
        _ => Undefined.Missing(this, name),
    };

    private object? Cycle(Arguments args)
    {
        if (args.Positional.Count == 0)
            throw TemplateRenderException.Type("no items for cycling given");
        return args.Positional[Index0 % args.Positional.Count];
    }

    private bool Changed(Arguments args)
    {
        var value = new PyList(args.Positional, isTuple: true);
        if (PyOps.Equal(value, _lastChanged))
            return false;
        _lastChanged = value;
        return true;
    }
}
