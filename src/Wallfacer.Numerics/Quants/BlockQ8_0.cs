namespace Wallfacer.Numerics.Quants;

/// <summary>
/// Q8_0: 32 weights as int8 q with w = q·d. Layout (34 bytes): d (fp16), qs[32] (int8).
/// Ported from ggml/src/ggml-quants.c (quantize_row_q8_0_ref, dequantize_row_q8_0) and, for activations,
/// ggml/src/ggml-cpu/arch/x86/quants.c (quantize_row_q8_0).
/// </summary>
internal static partial class BlockQ8_0
{
    public const int BlockSize = 32;
    public const int BlockBytes = 34;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int blocks = dst.Length / BlockSize;
        for (int ib = 0; ib < blocks; ib++)
        {
            ReadOnlySpan<byte> block = src.Slice(ib * BlockBytes, BlockBytes);
            float d = QuantMath.ReadHalf(block, 0);
            Span<float> y = dst.Slice(ib * BlockSize, BlockSize);
            for (int j = 0; j < BlockSize; j++)
                y[j] = (sbyte)block[2 + j] * d;
        }
    }

    /// <summary>The reference (file-writing) quantizer: id = 1/d, <c>roundf</c> (half away from zero).</summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int blocks = src.Length / BlockSize;
        for (int ib = 0; ib < blocks; ib++)
        {
            ReadOnlySpan<float> x = src.Slice(ib * BlockSize, BlockSize);
            Span<byte> block = dst.Slice(ib * BlockBytes, BlockBytes);
            float amax = AbsMax(x);
            float d = amax / 127;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.WriteHalf(block, 0, d);
            for (int j = 0; j < BlockSize; j++)
                block[2 + j] = (byte)(sbyte)QuantMath.RoundAway(x[j] * id);
        }
    }

    /// <summary>
    /// The activation quantizer of llama.cpp's x86 CPU backend (AVX/AVX2 builds): id = 127/amax and
    /// round-to-nearest-even (<c>_mm256_round_ps</c>), then saturating packs. It can differ from
    /// <see cref="Quantize"/> by one unit in a few quants. With AVX-512 or AVX2 it runs vectorised (<see cref="QuantizeActivation512"/>,
    /// <see cref="QuantizeActivation256"/>, the same bytes); this scalar form is the reference.
    /// </summary>
    public static void QuantizeActivation(ReadOnlySpan<float> src, Span<byte> dst)
    {
        if (UseActivation512)
        {
            QuantizeActivation512(src, dst);
            return;
        }
        if (UseActivation256)
        {
            QuantizeActivation256(src, dst);
            return;
        }
        QuantizeActivationReference(src, dst);
    }

    /// <summary>The scalar form of <see cref="QuantizeActivation"/>.</summary>
    internal static void QuantizeActivationReference(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int blocks = src.Length / BlockSize;
        for (int ib = 0; ib < blocks; ib++)
        {
            ReadOnlySpan<float> x = src.Slice(ib * BlockSize, BlockSize);
            Span<byte> block = dst.Slice(ib * BlockBytes, BlockBytes);
            float amax = AbsMax(x);
            QuantMath.WriteHalf(block, 0, amax / 127f);
            float id = amax != 0.0f ? 127f / amax : 0.0f;
            for (int j = 0; j < BlockSize; j++)
                block[2 + j] = (byte)(sbyte)RoundEvenSaturated(x[j] * id);
        }
    }

    internal static float AbsMax(ReadOnlySpan<float> x)
    {
        float amax = 0;
        foreach (float v in x)
            amax = MathF.Max(amax, MathF.Abs(v));
        return amax;
    }

    internal static int RoundEvenSaturated(float v) => Math.Clamp((int)MathF.Round(v, MidpointRounding.ToEven), -128, 127);
}
