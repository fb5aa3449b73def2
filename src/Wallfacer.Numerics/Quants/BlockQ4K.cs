namespace Wallfacer.Numerics.Quants;

/// <summary>
/// Q4_K: 256 weights in 8 groups of 32; w = d·sc·q − dmin·m with 4-bit q and 6-bit sc, m per group.
/// Layout (144 bytes): d, dmin (fp16), scales[12] (eight 6-bit scale/min pairs, see
/// <see cref="QuantMath.GetScaleMinK4"/>), qs[128] (per 64 elements, 32 bytes: element l in the low
/// nibble of byte l, element l+32 in its high nibble). Ported from ggml/src/ggml-quants.c
/// (quantize_row_q4_K_ref, dequantize_row_q4_K).
/// </summary>
internal static class BlockQ4K
{
    public const int BlockSize = 256;
    public const int BlockBytes = 144;
    public const int ScalesOffset = 4;
    public const int QsOffset = 16;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int blocks = dst.Length / BlockSize;
        for (int ib = 0; ib < blocks; ib++)
        {
            ReadOnlySpan<byte> block = src.Slice(ib * BlockBytes, BlockBytes);
            float d = QuantMath.ReadHalf(block, 0);
            float dmin = QuantMath.ReadHalf(block, 2);
            ReadOnlySpan<byte> packed = block.Slice(ScalesOffset, 12);
            Span<float> y = dst.Slice(ib * BlockSize, BlockSize);
            for (int g = 0; g < 8; g++)
            {
                QuantMath.GetScaleMinK4(g, packed, out int sc, out int m);
                float dl = d * sc, ml = dmin * m;
                int qBase = QsOffset + 32 * (g / 2);
                int shift = 4 * (g % 2);
                for (int l = 0; l < 32; l++)
                    y[32 * g + l] = dl * ((block[qBase + l] >> shift) & 0xF) - ml;
            }
        }
    }

    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        Span<byte> levels = stackalloc byte[BlockSize];
        int blocks = src.Length / BlockSize;
        for (int ib = 0; ib < blocks; ib++)
        {
            ReadOnlySpan<float> x = src.Slice(ib * BlockSize, BlockSize);
            Span<byte> block = dst.Slice(ib * BlockBytes, BlockBytes);
            QuantizeScalesAndMins(x, block, levels, nmax: 15, rmin: -1f, nstep: 20);
            Span<byte> qs = block.Slice(QsOffset, 128);
            for (int chunk = 0; chunk < 4; chunk++)
            {
                for (int l = 0; l < 32; l++)
                    qs[32 * chunk + l] = (byte)(levels[64 * chunk + l] | (levels[64 * chunk + l + 32] << 4));
            }
        }
    }

    /// <summary>
    /// The part Q4_K and Q5_K share: per-group asymmetric search (weights av_x + |x|), 6-bit packing of
    /// scales and mins into bytes 4..15, d and dmin into bytes 0..3, and the final levels (0..nmax)
    /// recomputed against the stored scales.
    /// </summary>
    internal static void QuantizeScalesAndMins(ReadOnlySpan<float> x, Span<byte> block, Span<byte> levels, int nmax, float rmin, int nstep)
    {
        Span<byte> aux = stackalloc byte[32];
        Span<float> weights = stackalloc float[32];
        Span<float> mins = stackalloc float[8];
        Span<float> scales = stackalloc float[8];
        float maxScale = 0, maxMin = 0;
        for (int g = 0; g < 8; g++)
        {
            ReadOnlySpan<float> xg = x.Slice(32 * g, 32);
            float sumX2 = 0;
            for (int l = 0; l < 32; l++) sumX2 += xg[l] * xg[l];
            float avX = MathF.Sqrt(sumX2 / 32);
            for (int l = 0; l < 32; l++) weights[l] = avX + MathF.Abs(xg[l]);
            scales[g] = KQuantSearch.MakeQkx2Quants(32, nmax, xg, weights, levels.Slice(32 * g, 32), out mins[g], aux, rmin, 0.1f, nstep, false);
            if (scales[g] > maxScale) maxScale = scales[g];
            if (mins[g] > maxMin) maxMin = mins[g];
        }
        float invScale = maxScale > 0 ? 63f / maxScale : 0f;
        float invMin = maxMin > 0 ? 63f / maxMin : 0f;
        Span<byte> packed = block.Slice(ScalesOffset, 12);
        for (int g = 0; g < 8; g++)
        {
            byte ls = Math.Min((byte)63, (byte)QuantMath.NearestInt(invScale * scales[g]));
            byte lm = Math.Min((byte)63, (byte)QuantMath.NearestInt(invMin * mins[g]));
            if (g < 4)
            {
                packed[g] = ls;
                packed[g + 4] = lm;
            }
            else
            {
                packed[g + 4] = (byte)((ls & 0xF) | ((lm & 0xF) << 4));
                packed[g - 4] |= (byte)((ls >> 4) << 6);
                packed[g] |= (byte)((lm >> 4) << 6);
            }
        }
        QuantMath.WriteHalf(block, 0, maxScale / 63f);
        QuantMath.WriteHalf(block, 2, maxMin / 63f);

        float d = QuantMath.ReadHalf(block, 0), dmin = QuantMath.ReadHalf(block, 2);
        for (int g = 0; g < 8; g++)
        {
            QuantMath.GetScaleMinK4(g, packed, out int sc, out int m);
            float dg = d * sc;
            if (dg == 0)
                continue;
            float dm = dmin * m;
            for (int i = 0; i < 32; i++)
                levels[32 * g + i] = (byte)Math.Max(0, Math.Min(nmax, QuantMath.NearestInt((x[32 * g + i] + dm) / dg)));
        }
    }
}
