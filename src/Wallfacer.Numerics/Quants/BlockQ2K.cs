namespace Wallfacer.Numerics.Quants;

/// <summary>
/// Q2_K: 256 weights in 16 groups of 16; w = d·sc·q − dmin·m with 2-bit q and 4-bit sc, m per group.
/// Layout (84 bytes): scales[16] (sc low nibble, m high nibble), qs[64] (four 2-bit quants per byte:
/// within each 128-element half, byte l holds elements l, l+32, l+64, l+96), d, dmin (fp16).
/// Ported from ggml/src/ggml-quants.c (quantize_row_q2_K_ref, dequantize_row_q2_K).
/// </summary>
internal static class BlockQ2K
{
    public const int BlockSize = 256;
    public const int BlockBytes = 84;
    public const int QsOffset = 16;
    public const int DOffset = 80;
    public const int DminOffset = 82;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int blocks = dst.Length / BlockSize;
        for (int ib = 0; ib < blocks; ib++)
        {
            ReadOnlySpan<byte> block = src.Slice(ib * BlockBytes, BlockBytes);
            float d = QuantMath.ReadHalf(block, DOffset);
            float dmin = QuantMath.ReadHalf(block, DminOffset);
            Span<float> y = dst.Slice(ib * BlockSize, BlockSize);
            for (int g = 0; g < 16; g++)
            {
                // Group g covers elements 16g..16g+15: half h = g / 8, shift by 2·((g / 2) % 4), bytes 16·(g % 2).
                int sc = block[g];
                float dl = d * (sc & 0xF), ml = dmin * (sc >> 4);
                int qBase = QsOffset + 32 * (g / 8) + 16 * (g % 2);
                int shift = 2 * (g / 2 % 4);
                for (int l = 0; l < 16; l++)
                    y[16 * g + l] = dl * ((block[qBase + l] >> shift) & 3) - ml;
            }
        }
    }

    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        Span<byte> levels = stackalloc byte[BlockSize];
        Span<byte> aux = stackalloc byte[16];
        Span<float> weights = stackalloc float[16];
        Span<float> mins = stackalloc float[16];
        Span<float> scales = stackalloc float[16];
        const float q4Scale = 15f;
        int blocks = src.Length / BlockSize;
        for (int ib = 0; ib < blocks; ib++)
        {
            ReadOnlySpan<float> x = src.Slice(ib * BlockSize, BlockSize);
            Span<byte> block = dst.Slice(ib * BlockBytes, BlockBytes);
            float maxScale = 0, maxMin = 0;
            for (int g = 0; g < 16; g++)
            {
                ReadOnlySpan<float> xg = x.Slice(16 * g, 16);
                for (int l = 0; l < 16; l++) weights[l] = MathF.Abs(xg[l]);
                scales[g] = KQuantSearch.MakeQkx2Quants(16, 3, xg, weights, levels.Slice(16 * g, 16), out mins[g], aux, -0.5f, 0.1f, 15, true);
                if (scales[g] > maxScale) maxScale = scales[g];
                if (mins[g] > maxMin) maxMin = mins[g];
            }
            if (maxScale > 0)
            {
                float iscale = q4Scale / maxScale;
                for (int g = 0; g < 16; g++) block[g] = (byte)QuantMath.NearestInt(iscale * scales[g]);
                QuantMath.WriteHalf(block, DOffset, maxScale / q4Scale);
            }
            else
            {
                block[..16].Clear();
                QuantMath.WriteHalf(block, DOffset, 0f);
            }
            if (maxMin > 0)
            {
                float iscale = q4Scale / maxMin;
                for (int g = 0; g < 16; g++) block[g] |= (byte)(QuantMath.NearestInt(iscale * mins[g]) << 4);
                QuantMath.WriteHalf(block, DminOffset, maxMin / q4Scale);
            }
            else
            {
                QuantMath.WriteHalf(block, DminOffset, 0f);
            }
            RequantizeWithStoredScales(x, block, levels);
            PackTwoBit(levels, block.Slice(QsOffset, 64));
        }
    }

    /// <summary>Recomputes each quant against the rounded (fp16 / 4-bit) scales actually stored.</summary>
    private static void RequantizeWithStoredScales(ReadOnlySpan<float> x, ReadOnlySpan<byte> block, Span<byte> levels)
    {
        float d = QuantMath.ReadHalf(block, DOffset), dmin = QuantMath.ReadHalf(block, DminOffset);
        for (int g = 0; g < 16; g++)
        {
            float dg = d * (block[g] & 0xF);
            if (dg == 0)
                continue;
            float dm = dmin * (block[g] >> 4);
            for (int i = 0; i < 16; i++)
                levels[16 * g + i] = (byte)Math.Max(0, Math.Min(3, QuantMath.NearestInt((x[16 * g + i] + dm) / dg)));
        }
    }

    /// <summary>Packs 256 two-bit levels: per 128-element half, byte l = L[l] | L[l+32]≪2 | L[l+64]≪4 | L[l+96]≪6.</summary>
    internal static void PackTwoBit(ReadOnlySpan<byte> levels, Span<byte> qs)
    {
        for (int half = 0; half < 2; half++)
        {
            int j = 128 * half;
            for (int l = 0; l < 32; l++)
                qs[32 * half + l] = (byte)(levels[j + l] | (levels[j + l + 32] << 2) | (levels[j + l + 64] << 4) | (levels[j + l + 96] << 6));
        }
    }
}
