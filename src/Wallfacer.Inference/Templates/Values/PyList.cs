namespace Wallfacer.Inference.Templates;

/// <summary>A Python list or tuple. The sandbox never mutates one after construction.</summary>
internal sealed class PyList(List<object?> items, bool isTuple = false)
{
    public List<object?> Items { get; } = items;

    public bool IsTuple { get; } = isTuple;

    public int Count => Items.Count;

    public object? this[int index] => Items[index];

    public static PyList Tuple(params object?[] items) => new(new List<object?>(items), isTuple: true);
}
