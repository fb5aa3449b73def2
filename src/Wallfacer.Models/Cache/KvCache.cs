using Wallfacer.Numerics;

namespace Wallfacer.Models.Cache;

/// <summary>
/// The keys and values of one sequence, per layer, stored as IEEE half floats like llama.cpp's default
/// cache (so attention sees the same rounded keys and values). Positions <c>[0, Length)</c> are valid.
/// Memory: layers × capacity × (key width + value width) × 2 bytes.
/// </summary>
public sealed class KvCache
{
    private readonly ushort[][] _keys;    // per layer: (capacity, kvHeads·keyDim)
    private readonly ushort[][] _values;  // per layer: (capacity, kvHeads·valueDim)

    public KvCache(DecoderConfig config, int capacity)
    {
        if (capacity < 1)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "The context must hold at least one token.");
        Capacity = capacity;
        KeyWidth = config.KeyWidth;
        ValueWidth = config.ValueWidth;
        _keys = new ushort[config.BlockCount][];
        _values = new ushort[config.BlockCount][];
        for (int l = 0; l < config.BlockCount; l++)
        {
            _keys[l] = GC.AllocateUninitializedArray<ushort>(checked(capacity * KeyWidth), pinned: true);
            _values[l] = GC.AllocateUninitializedArray<ushort>(checked(capacity * ValueWidth), pinned: true);
        }
    }

    /// <summary>Maximum number of positions.</summary>
    public int Capacity { get; }

    /// <summary>Number of positions filled so far (the next token's position).</summary>
    public int Length { get; private set; }

    public int KeyWidth { get; }
    public int ValueWidth { get; }

    /// <summary>Bytes held by the cache.</summary>
    public long SizeInBytes => (long)_keys.Length * Capacity * (KeyWidth + ValueWidth) * sizeof(ushort);

    /// <summary>Keys of layer <paramref name="layer"/> for positions <c>[0, count)</c>.</summary>
    public ReadOnlySpan<ushort> Keys(int layer, int count) => _keys[layer].AsSpan(0, count * KeyWidth);

    /// <summary>Values of layer <paramref name="layer"/> for positions <c>[0, count)</c>.</summary>
    public ReadOnlySpan<ushort> Values(int layer, int count) => _values[layer].AsSpan(0, count * ValueWidth);

    /// <summary>Stores one position's key and value rows of one layer, rounding them to half precision.</summary>
    public void Store(int layer, int position, ReadOnlySpan<float> key, ReadOnlySpan<float> value)
    {
        if ((uint)position >= (uint)Capacity)
            throw new InvalidOperationException($"Position {position} is beyond the context of {Capacity} tokens.");
        HalfConvert.SingleToHalf(key, _keys[layer].AsSpan(position * KeyWidth, KeyWidth));
        HalfConvert.SingleToHalf(value, _values[layer].AsSpan(position * ValueWidth, ValueWidth));
    }

    /// <summary>
    /// Overwrites positions <c>[0, count)</c> of one layer with saved half-precision rows (restoring a session);
    /// call <see cref="SetLength"/> once every layer is in.
    /// </summary>
    public void Import(int layer, ReadOnlySpan<ushort> keys, ReadOnlySpan<ushort> values, int count)
    {
        if ((uint)count > (uint)Capacity)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"The context holds {Capacity} tokens.");
        if (keys.Length != count * KeyWidth || values.Length != count * ValueWidth)
            throw new ArgumentException($"Expected {count} rows of {KeyWidth} keys and {ValueWidth} values.");
        keys.CopyTo(_keys[layer]);
        values.CopyTo(_values[layer]);
    }

    /// <summary>Number of layers.</summary>
    public int LayerCount => _keys.Length;

    /// <summary>Marks positions <c>[0, length)</c> valid; later ones are forgotten (used to rewind or extend).</summary>
    public void SetLength(int length)
    {
        if ((uint)length > (uint)Capacity)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"The context holds {Capacity} tokens.");
        Length = length;
    }

    /// <summary>Forgets everything.</summary>
    public void Clear() => Length = 0;
}
