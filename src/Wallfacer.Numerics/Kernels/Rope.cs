namespace Wallfacer.Numerics.Kernels;

/// <summary>Which elements of a head RoPE rotates together.</summary>
public enum RopePairing
{
    /// <summary>Adjacent pairs (2i, 2i+1): llama.cpp's "normal" mode, used by llama and minicpm GGUFs.</summary>
    Adjacent,
    /// <summary>Halves (i, i + d/2): llama.cpp's "neox" mode, used by qwen2 and qwen3.</summary>
    Halves,
}

/// <summary>
/// Rotary position embedding. The angle of pair <c>i</c> at position <c>p</c> is
/// <c>p · base^(−2i/d) / factor[i]</c>; like llama.cpp (ggml-cpu ops.cpp, <c>ggml_rope_cache_init</c>)
/// the powers are built by repeated float multiplication, so angles match it to the bit.
/// </summary>
public static class Rope
{
    /// <summary>
    /// Fills <paramref name="cos"/> and <paramref name="sin"/> (length <c>rotaryDims/2</c>) for one position.
    /// <paramref name="factors"/> (length <c>rotaryDims/2</c> or empty) divides each angle (llama3 rope_freqs, LongRoPE).
    /// </summary>
    public static void ComputeAngles(int position, int rotaryDims, float freqBase, ReadOnlySpan<float> factors,
        Span<float> cos, Span<float> sin)
    {
        float thetaScale = MathF.Pow(freqBase, -2.0f / rotaryDims);
        float theta = position;
        for (int i = 0; i < rotaryDims / 2; i++)
        {
            float factor = factors.IsEmpty ? 1.0f : factors[i];
            float angle = theta / factor;
            cos[i] = MathF.Cos(angle);
            sin[i] = MathF.Sin(angle);
            theta *= thetaScale;
        }
    }

    /// <summary>Rotates the first <c>2·cos.Length</c> elements of one head in place; the rest pass through.</summary>
    public static void Apply(Span<float> head, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin, RopePairing pairing)
    {
        int half = cos.Length;
        if (pairing == RopePairing.Adjacent)
        {
            for (int i = 0; i < half; i++)
            {
                float x0 = head[2 * i], x1 = head[2 * i + 1];
                head[2 * i] = RotateFirst(x0, x1, cos[i], sin[i]);
                head[2 * i + 1] = RotateSecond(x0, x1, cos[i], sin[i]);
            }
        }
        else
        {
            for (int i = 0; i < half; i++)
            {
                float x0 = head[i], x1 = head[i + half];
                head[i] = RotateFirst(x0, x1, cos[i], sin[i]);
                head[i + half] = RotateSecond(x0, x1, cos[i], sin[i]);
            }
        }
    }

    // ggml's rotate_pairs writes x0·cos − x1·sin and x0·sin + x1·cos; its build (GCC, -ffp-contract=fast, FMA)
    // fuses the first product of each into an FMA over the rounded second one. Matching that keeps queries
    // bit-identical, which matters where llama.cpp keeps them in float (its tiled flash attention, prompts of
    // 64+ tokens); measured op by op in tests/Wallfacer.Conformance/Diagnostics/OpTraceTests.
    private static float RotateFirst(float x0, float x1, float cos, float sin) => MathF.FusedMultiplyAdd(x0, cos, -(x1 * sin));

    private static float RotateSecond(float x0, float x1, float cos, float sin) => MathF.FusedMultiplyAdd(x0, sin, x1 * cos);
}
