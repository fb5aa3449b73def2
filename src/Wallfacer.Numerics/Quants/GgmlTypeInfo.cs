namespace Wallfacer.Numerics.Quants;

/// <summary>
/// Block geometry of each <see cref="GgmlType"/>: how many elements a block holds and how many bytes
/// it takes. Values are llama.cpp's <c>type_traits</c> (ggml.c) — a file written by either side must
/// agree on them to the byte.
/// </summary>
public static class GgmlTypeInfo
{
    /// <summary>Super-block length of the K-quant types (QK_K in ggml).</summary>
    public const int QK_K = 256;

    /// <summary>Returns true when Wallfacer knows the block geometry of <paramref name="type"/>.</summary>
    public static bool IsKnown(GgmlType type) => type switch
    {
        GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 or GgmlType.Q4_0 or GgmlType.Q4_1 or GgmlType.Q5_0
            or GgmlType.Q5_1 or GgmlType.Q8_0 or GgmlType.Q8_1 or GgmlType.Q2_K or GgmlType.Q3_K or GgmlType.Q4_K
            or GgmlType.Q5_K or GgmlType.Q6_K or GgmlType.Q8_K or GgmlType.I8 or GgmlType.I16 or GgmlType.I32
            or GgmlType.I64 or GgmlType.F64 => true,
        _ => false,
    };

    /// <summary>Elements per block (1 for plain scalar types).</summary>
    public static int BlockSize(GgmlType type) => type switch
    {
        GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 or GgmlType.I8 or GgmlType.I16 or GgmlType.I32
            or GgmlType.I64 or GgmlType.F64 => 1,
        GgmlType.Q4_0 or GgmlType.Q4_1 or GgmlType.Q5_0 or GgmlType.Q5_1 or GgmlType.Q8_0 or GgmlType.Q8_1 => 32,
        GgmlType.Q2_K or GgmlType.Q3_K or GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K or GgmlType.Q8_K => QK_K,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown tensor type."),
    };

    /// <summary>Bytes per block.</summary>
    public static int TypeSize(GgmlType type) => type switch
    {
        GgmlType.F32 => 4,
        GgmlType.F16 => 2,
        GgmlType.BF16 => 2,
        GgmlType.I8 => 1,
        GgmlType.I16 => 2,
        GgmlType.I32 => 4,
        GgmlType.I64 => 8,
        GgmlType.F64 => 8,
        GgmlType.Q4_0 => 2 + 16,            // d (f16), 32 nibbles
        GgmlType.Q4_1 => 2 + 2 + 16,        // d, m (f16), 32 nibbles
        GgmlType.Q5_0 => 2 + 4 + 16,        // d, qh (32 high bits), 32 nibbles
        GgmlType.Q5_1 => 2 + 2 + 4 + 16,    // d, m, qh, 32 nibbles
        GgmlType.Q8_0 => 2 + 32,            // d, 32 int8
        GgmlType.Q8_1 => 2 + 2 + 32,        // d, s = d * sum(q), 32 int8
        GgmlType.Q2_K => QK_K / 16 + QK_K / 4 + 2 + 2,                 // scales, qs, d, dmin = 84
        GgmlType.Q3_K => QK_K / 8 + QK_K / 4 + 12 + 2,                 // hmask, qs, scales, d = 110
        GgmlType.Q4_K => 2 + 2 + 12 + QK_K / 2,                        // d, dmin, scales, qs = 144
        GgmlType.Q5_K => 2 + 2 + 12 + QK_K / 8 + QK_K / 2,             // d, dmin, scales, qh, qs = 176
        GgmlType.Q6_K => QK_K / 2 + QK_K / 4 + QK_K / 16 + 2,          // ql, qh, scales, d = 210
        GgmlType.Q8_K => 4 + QK_K + QK_K / 16 * 2,                     // d (f32), qs, bsums = 292
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown tensor type."),
    };

    /// <summary>
    /// Bytes of a row of <paramref name="elements"/> elements. Throws when the count is not a whole
    /// number of blocks, since such a row cannot be stored.
    /// </summary>
    public static long RowBytes(GgmlType type, long elements)
    {
        int block = BlockSize(type);
        if (elements % block != 0)
            throw new ArgumentException($"{elements} elements is not a multiple of the {type} block size {block}.", nameof(elements));
        return elements / block * TypeSize(type);
    }
}
