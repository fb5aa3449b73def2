namespace Wallfacer.Numerics.Quants;

/// <summary>
/// Q3_K: 256 weights in 16 groups of 16; w = d·(sc − 32)·(q − 4) with 3-bit q and 6-bit sc.
/// Layout (110 bytes): hmask[32] (bit b of byte l is the high bit of element 32b + l), qs[64] (low two
/// bits, packed like Q2_K), scales[12] (16 six-bit scales: low nibbles in bytes 0..7, high pairs in
/// 8..11), d (fp16). A set high bit means q ≥ 4. Ported from ggml/src/ggml-quants.c
/// (quantize_row_q3_K_ref, dequantize_row_q3_K).
/// </summary>
internal static class BlockQ3K
{
    public const int BlockSize = 256;
    public const int BlockBytes = 110;
    public const int QsOffset = 32;
    public const int ScalesOffset = 96;
    public const int DOffset = 108;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        Span<sbyte> scales = stackalloc sbyte[16];
        int blocks = dst.Length / BlockSize;
        for (int ib = 0; ib < blocks; ib++)
        {
            ReadOnlySpan<byte> block = src.Slice(ib * BlockBytes, BlockBytes);
            float dAll = QuantMath.ReadHalf(block, DOffset);
            QuantMath.UnpackQ3KScales(block.Slice(ScalesOffset, 12), scales);
            Span<float> y = dst.Slice(ib * BlockSize, BlockSize);
            for (int g = 0; g < 16; g++)
            {
                float dl = dAll * (scales[g] - 32);
                int qBase = QsOffset + 32 * (g / 8) + 16 * (g % 2);
                int shift = 2 * (g / 2 % 4);
                int maskBit = 1 << (g / 2);        // element 16g+l sits in 32-element run g/2
                int hBase = 16 * (g % 2);
                for (int l = 0; l < 16; l++)
                {
                    int low = (block[qBase + l] >> shift) & 3;
                    int q = low - ((block[hBase + l] & maskBit) != 0 ? 0 : 4);
                    y[16 * g + l] = dl * q;
                }
            }
        }
    }

    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        Span<sbyte> levels = stackalloc sbyte[BlockSize];
        Span<float> scales = stackalloc float[16];
        int blocks = src.Length / BlockSize;
        for (int ib = 0; ib < blocks; ib++)
        {
            ReadOnlySpan<float> x = src.Slice(ib * BlockSize, BlockSize);
            Span<byte> block = dst.Slice(ib * BlockBytes, BlockBytes);
            float maxScale = 0, amax = 0;
            for (int g = 0; g < 16; g++)
            {
                scales[g] = KQuantSearch.MakeQ3Quants(16, 4, x.Slice(16 * g, 16), levels.Slice(16 * g, 16));
                float scale = MathF.Abs(scales[g]);
                if (scale > amax) { amax = scale; maxScale = scales[g]; }
            }
            PackScales(block, scales, maxScale);
            RequantizeWithStoredScales(x, block, levels);
            PackLevels(levels, block);
        }
    }

    private static void PackScales(Span<byte> block, ReadOnlySpan<float> scales, float maxScale)
    {
        Span<byte> packed = block.Slice(ScalesOffset, 12);
        packed.Clear();
        if (maxScale == 0)
        {
            QuantMath.WriteHalf(block, DOffset, 0f);
            return;
        }
        float iscale = -32f / maxScale;
        for (int g = 0; g < 16; g++)
        {
            int l = (sbyte)QuantMath.NearestInt(iscale * scales[g]);
            l = Math.Max(-32, Math.Min(31, l)) + 32;
            if (g < 8)
                packed[g] = (byte)(l & 0xF);
            else
                packed[g - 8] |= (byte)((l & 0xF) << 4);
            packed[g % 4 + 8] |= (byte)((l >> 4) << (2 * (g / 4)));
        }
        QuantMath.WriteHalf(block, DOffset, 1 / iscale);
    }

    private static void RequantizeWithStoredScales(ReadOnlySpan<float> x, ReadOnlySpan<byte> block, Span<sbyte> levels)
    {
        Span<sbyte> sc = stackalloc sbyte[16];
        QuantMath.UnpackQ3KScales(block.Slice(ScalesOffset, 12), sc);
        float dAll = QuantMath.ReadHalf(block, DOffset);
        for (int g = 0; g < 16; g++)
        {
            float d = dAll * (sc[g] - 32);
            if (d == 0)
                continue;
            for (int i = 0; i < 16; i++)
                levels[16 * g + i] = (sbyte)(Math.Max(-4, Math.Min(3, QuantMath.NearestInt(x[16 * g + i] / d))) + 4);
        }
    }

    /// <summary>Splits levels 0..7 into hmask (bit 2) and the two-bit qs.</summary>
    private static void PackLevels(Span<sbyte> levels, Span<byte> block)
    {
        Span<byte> hmask = block[..32];
        hmask.Clear();
        Span<byte> low = stackalloc byte[BlockSize];
        for (int j = 0; j < BlockSize; j++)
        {
            int l = levels[j];
            if (l > 3)
            {
                hmask[j % 32] |= (byte)(1 << (j / 32));
                l -= 4;
            }
            low[j] = (byte)l;
        }
        BlockQ2K.PackTwoBit(low, block.Slice(QsOffset, 64));
    }
}
