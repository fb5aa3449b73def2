using System.Collections;

namespace Wallfacer.Gguf;

/// <summary>
/// The key/value metadata of a GGUF file, in file order. Lookups are by exact key (see
/// <see cref="GgufKeys"/>). A value of the wrong type throws <see cref="GgufFormatException"/>
/// naming the key, the expected and the actual type, and the value's offset in the file.
/// </summary>
public sealed class GgufMetadata : IReadOnlyCollection<KeyValuePair<string, GgufValue>>
{
    private readonly List<KeyValuePair<string, GgufValue>> _entries = [];
    private readonly List<long> _offsets = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    /// <summary>Creates metadata from <paramref name="entries"/>, kept in order; a repeated key throws <see cref="ArgumentException"/>.</summary>
    public GgufMetadata(IEnumerable<KeyValuePair<string, GgufValue>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var (key, value) in entries)
        {
            if (!TryAdd(key, value ?? throw new ArgumentException($"The value of '{key}' is null."), offset: -1))
                throw new ArgumentException($"Duplicate key '{key}'.", nameof(entries));
        }
    }

    internal GgufMetadata(string? filePath) => FilePath = filePath;

    /// <summary>The file the metadata came from (used in error messages), if any.</summary>
    public string? FilePath { get; }

    /// <inheritdoc />
    public int Count => _entries.Count;

    /// <summary>The keys in file order.</summary>
    public IEnumerable<string> Keys => _entries.Select(e => e.Key);

    /// <summary>The value of <paramref name="key"/>; throws <see cref="KeyNotFoundException"/> naming the key.</summary>
    public GgufValue this[string key] => TryGetValue(key, out var value)
        ? value
        : throw new KeyNotFoundException($"{FilePath ?? "<gguf>"}: the metadata has no key '{key}'.");

    public bool Contains(string key) => _index.ContainsKey(key);

    public bool TryGetValue(string key, out GgufValue value)
    {
        if (_index.TryGetValue(key, out int i))
        {
            value = _entries[i].Value;
            return true;
        }
        value = null!;
        return false;
    }

    public string GetString(string key) => Convert(key, this[key], v => v.AsString());
    public string? GetStringOrNull(string key) => TryGetValue(key, out var v) ? Convert(key, v, x => x.AsString()) : null;

    public bool GetBool(string key) => Convert(key, this[key], v => v.AsBool());
    public bool GetBool(string key, bool defaultValue) => TryGetValue(key, out var v) ? Convert(key, v, x => x.AsBool()) : defaultValue;

    public uint GetUInt32(string key) => Convert(key, this[key], v => v.AsUInt32());
    public uint GetUInt32(string key, uint defaultValue) => TryGetValue(key, out var v) ? Convert(key, v, x => x.AsUInt32()) : defaultValue;

    public int GetInt32(string key) => Convert(key, this[key], v => v.AsInt32());
    public int GetInt32(string key, int defaultValue) => TryGetValue(key, out var v) ? Convert(key, v, x => x.AsInt32()) : defaultValue;

    public ulong GetUInt64(string key) => Convert(key, this[key], v => v.AsUInt64());
    public ulong GetUInt64(string key, ulong defaultValue) => TryGetValue(key, out var v) ? Convert(key, v, x => x.AsUInt64()) : defaultValue;

    public long GetInt64(string key) => Convert(key, this[key], v => v.AsInt64());
    public long GetInt64(string key, long defaultValue) => TryGetValue(key, out var v) ? Convert(key, v, x => x.AsInt64()) : defaultValue;

    public float GetSingle(string key) => Convert(key, this[key], v => v.AsSingle());
    public float GetSingle(string key, float defaultValue) => TryGetValue(key, out var v) ? Convert(key, v, x => x.AsSingle()) : defaultValue;

    public double GetDouble(string key) => Convert(key, this[key], v => v.AsDouble());
    public double GetDouble(string key, double defaultValue) => TryGetValue(key, out var v) ? Convert(key, v, x => x.AsDouble()) : defaultValue;

    public string[]? GetStringArrayOrNull(string key) => TryGetValue(key, out var v) ? Convert(key, v, x => x.AsStringArray()) : null;
    public float[]? GetSingleArrayOrNull(string key) => TryGetValue(key, out var v) ? Convert(key, v, x => x.AsSingleArray()) : null;
    public int[]? GetInt32ArrayOrNull(string key) => TryGetValue(key, out var v) ? Convert(key, v, x => x.AsInt32Array()) : null;
    public long[]? GetInt64ArrayOrNull(string key) => TryGetValue(key, out var v) ? Convert(key, v, x => x.AsInt64Array()) : null;

    /// <summary>Byte offset of the value of <paramref name="key"/> in its file, or -1 when unknown.</summary>
    public long GetOffset(string key) => _index.TryGetValue(key, out int i) ? _offsets[i] : -1;

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, GgufValue>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Adds an entry unless the key is already present (then returns false).</summary>
    internal bool TryAdd(string key, GgufValue value, long offset)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_index.TryAdd(key, _entries.Count))
            return false;
        _entries.Add(new(key, value));
        _offsets.Add(offset);
        return true;
    }

    private T Convert<T>(string key, GgufValue value, Func<GgufValue, T> accessor)
    {
        try
        {
            return accessor(value);
        }
        catch (InvalidCastException e)
        {
            throw new GgufFormatException($"key '{key}': {e.Message}", GetOffset(key), FilePath, e);
        }
    }
}
