namespace Wallfacer.Numerics.Quants;

/// <summary>
/// Q5_K: like Q4_K with a fifth bit per weight (q in 0..31). Layout (176 bytes): d, dmin (fp16),
/// scales[12], qh[32] (bit 2c of byte l is the high bit of element 64c + l, bit 2c+1 of element
/// 64c + 32 + l), qs[128] (low nibbles, packed as Q4_K). Ported from ggml/src/ggml-quants.c
/// (quantize_row_q5_K_ref, dequantize_row_q5_K).
/// </summary>
internal static class BlockQ5K
{
    public const int BlockSize = 256;
    public const int BlockBytes = 176;
    public const int ScalesOffset = 4;
    public const int QhOffset = 16;
    public const int QsOffset = 48;

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
                int highBit = 1 << g;
                for (int l = 0; l < 32; l++)
                {
                    int q = ((block[qBase + l] >> shift) & 0xF) + ((block[QhOffset + l] & highBit) != 0 ? 16 : 0);
                    y[32 * g + l] = dl * q - ml;
                }
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
            BlockQ4K.QuantizeScalesAndMins(x, block, levels, nmax: 31, rmin: -0.5f, nstep: 15);
            Span<byte> qh = block.Slice(QhOffset, 32);
            Span<byte> qs = block.Slice(QsOffset, 128);
            qh.Clear();
            for (int chunk = 0; chunk < 4; chunk++)
            {
                for (int j = 0; j < 32; j++)
                {
                    int l1 = levels[64 * chunk + j];
                    int l2 = levels[64 * chunk + j + 32];
                    if (l1 > 15) { l1 -= 16; qh[j] |= (byte)(1 << (2 * chunk)); }
                    if (l2 > 15) { l2 -= 16; qh[j] |= (byte)(2 << (2 * chunk)); }
                    qs[32 * chunk + j] = (byte)(l1 | (l2 << 4));
                }
            }
        }
    }
}
