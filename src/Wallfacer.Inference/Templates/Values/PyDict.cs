namespace Wallfacer.Inference.Templates;

/// <summary>A Python dict: insertion-ordered, keys compared as Python does (<c>1 == 1.0 == True</c>).</summary>
internal sealed class PyDict
{
    // Dictionary keys cannot be null; Python's None key is stored as this sentinel.
    private static readonly object NoneKey = new();

    private readonly OrderedDictionary<object, object?> _items = new(PyKeyComparer.Instance);

    public int Count => _items.Count;

    public bool TryGetValue(object? key, out object? value) => _items.TryGetValue(key ?? NoneKey, out value);

    public bool ContainsKey(object? key) => _items.ContainsKey(key ?? NoneKey);

    public void Set(object? key, object? value) => _items[key ?? NoneKey] = value;

    public IEnumerable<object?> Keys => _items.Keys.Select(Unwrap);

    public IEnumerable<object?> Values => _items.Values;

    public IEnumerable<KeyValuePair<object?, object?>> Pairs => _items.Select(p => new KeyValuePair<object?, object?>(Unwrap(p.Key), p.Value));

    private static object? Unwrap(object key) => ReferenceEquals(key, NoneKey) ? null : key;

    private sealed class PyKeyComparer : IEqualityComparer<object>
    {
        public static readonly PyKeyComparer Instance = new();

        public new bool Equals(object? x, object? y) => PyOps.Equal(Norm(x), Norm(y));

        public int GetHashCode(object obj) => Norm(obj) switch
        {
            null => 0,
            string s => s.GetHashCode(StringComparison.Ordinal),
            bool b => b ? 1 : 0,
            long l => l.GetHashCode(),
            double d when d == Math.Floor(d) && Math.Abs(d) < 9e18 => ((long)d).GetHashCode(),
            double d => d.GetHashCode(),
            PyList { IsTuple: true } t => t.Items.Aggregate(17, (h, item) => h * 31 + (item is null ? 0 : GetHashCode(item))),
            Undefined => 7, // all undefined values are equal
            PyList or PyDict => throw TemplateRenderException.Type($"unhashable type: '{PyTypes.TypeName(obj)}'"),
            var other => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(other),
        };

        private static object? Norm(object? key) => ReferenceEquals(key, NoneKey) ? null : key;
    }
}
