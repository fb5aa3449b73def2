namespace Wallfacer.Numerics.Quants;

/// <summary>
/// Dot products of one stored weight row with one activation row, as llama.cpp's CPU backend computes
/// them (ggml/src/ggml-cpu/quants.c, vec_dot_*): the activations are first quantized to the weight type's
/// partner type (<see cref="ActivationType"/>) so the inner loop is an exact integer dot product per block.
/// </summary>
public static partial class VecDot
{
    /// <summary>
    /// The type activations must be quantized to before <see cref="Dot"/> with a
    /// <paramref name="weightType"/> row (llama.cpp's <c>type_traits_cpu[..].vec_dot_type</c>, ggml-cpu.c).
    /// </summary>
    public static GgmlType ActivationType(GgmlType weightType) => weightType switch
    {
        GgmlType.F32 => GgmlType.F32,
        GgmlType.F16 => GgmlType.F16,
        GgmlType.BF16 => GgmlType.BF16,
        GgmlType.Q4_0 or GgmlType.Q5_0 or GgmlType.Q8_0 => GgmlType.Q8_0,
        GgmlType.Q4_1 or GgmlType.Q5_1 => GgmlType.Q8_1,
        GgmlType.Q2_K or GgmlType.Q3_K or GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K => GgmlType.Q8_K,
        _ => throw new NotSupportedException($"No dot product for weight type {weightType}."),
    };

    /// <summary>True when <paramref name="weightType"/> has a dot product (and so can be a weight matrix).</summary>
    public static bool Supports(GgmlType weightType) => weightType is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16
        or GgmlType.Q4_0 or GgmlType.Q5_0 or GgmlType.Q8_0 or GgmlType.Q4_1 or GgmlType.Q5_1
        or GgmlType.Q2_K or GgmlType.Q3_K or GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K;

    /// <summary>
    /// Σ w[i]·x[i] over <paramref name="n"/> elements. <paramref name="weightRow"/> holds exactly
    /// RowBytes(weightType, n) bytes; <paramref name="activationRow"/> holds the activations quantized with
    /// <see cref="Quantizer.QuantizeRow"/> (or <see cref="Quantizer.QuantizeActivationRow"/>) to
    /// <see cref="ActivationType"/>. Uses AVX2/AVX-VNNI or portable 256-bit vectors when available, else the
    /// scalar reference; paths differ only in float summation order.
    /// </summary>
    /// <exception cref="ArgumentException">A row has the wrong byte count for <paramref name="n"/>.</exception>
    public static float Dot(GgmlType weightType, ReadOnlySpan<byte> weightRow, ReadOnlySpan<byte> activationRow, int n)
    {
        GgmlType activationType = ActivationType(weightType);
        RowChecks.CheckRow(weightType, weightRow.Length, n, nameof(weightRow));
        RowChecks.CheckRow(activationType, activationRow.Length, n, nameof(activationRow));
        return weightType switch
        {
            GgmlType.F32 => VecDotF32.Dot(weightRow, activationRow, n),
            GgmlType.F16 => VecDotF16.Dot(weightRow, activationRow, n),
            GgmlType.BF16 => VecDotBF16.Dot(weightRow, activationRow, n),
            GgmlType.Q4_0 => VecDotQ4_0.Dot(weightRow, activationRow, n),
            GgmlType.Q4_1 => VecDotQ4_1.Dot(weightRow, activationRow, n),
            GgmlType.Q5_0 => VecDotQ5_0.Dot(weightRow, activationRow, n),
            GgmlType.Q5_1 => VecDotQ5_1.Dot(weightRow, activationRow, n),
            GgmlType.Q8_0 => VecDotQ8_0.Dot(weightRow, activationRow, n),
            GgmlType.Q2_K => VecDotQ2K.Dot(weightRow, activationRow, n),
            GgmlType.Q3_K => VecDotQ3K.Dot(weightRow, activationRow, n),
            GgmlType.Q4_K => VecDotQ4K.Dot(weightRow, activationRow, n),
            GgmlType.Q5_K => VecDotQ5K.Dot(weightRow, activationRow, n),
            GgmlType.Q6_K => VecDotQ6K.Dot(weightRow, activationRow, n),
            _ => throw new NotSupportedException($"No dot product for weight type {weightType}."),
        };
    }

    /// <summary>The scalar reference for <paramref name="weightType"/> (tests compare the fast paths with it).</summary>
    internal static float Reference(GgmlType weightType, ReadOnlySpan<byte> weightRow, ReadOnlySpan<byte> activationRow, int n) => weightType switch
    {
        GgmlType.F32 => VecDotF32.Reference(weightRow, activationRow, n),
        GgmlType.F16 => VecDotF16.Reference(weightRow, activationRow, n),
        GgmlType.BF16 => VecDotBF16.Reference(weightRow, activationRow, n),
        GgmlType.Q4_0 => VecDotQ4_0.Reference(weightRow, activationRow, n),
        GgmlType.Q4_1 => VecDotQ4_1.Reference(weightRow, activationRow, n),
        GgmlType.Q5_0 => VecDotQ5_0.Reference(weightRow, activationRow, n),
        GgmlType.Q5_1 => VecDotQ5_1.Reference(weightRow, activationRow, n),
        GgmlType.Q8_0 => VecDotQ8_0.Reference(weightRow, activationRow, n),
        GgmlType.Q2_K => VecDotQ2K.Reference(weightRow, activationRow, n),
        GgmlType.Q3_K => VecDotQ3K.Reference(weightRow, activationRow, n),
        GgmlType.Q4_K => VecDotQ4K.Reference(weightRow, activationRow, n),
        GgmlType.Q5_K => VecDotQ5K.Reference(weightRow, activationRow, n),
        GgmlType.Q6_K => VecDotQ6K.Reference(weightRow, activationRow, n),
        _ => throw new NotSupportedException($"No dot product for weight type {weightType}."),
    };
}
