namespace Wallfacer.Numerics.Quants;

/// <summary>
/// Q6_K: 256 weights in 16 groups of 16; w = d·sc·(q − 32) with 6-bit q and int8 sc. Layout (210 bytes):
/// ql[128] (low nibbles), qh[64] (high two-bit pairs), scales[16] (int8), d (fp16). Per 128-element
/// half: ql byte l holds elements l (low) and l+64 (high), byte l+32 holds l+32 and l+96; qh byte l holds
/// the high bits of l, l+32, l+64, l+96 at shifts 0, 2, 4, 6. Ported from ggml/src/ggml-quants.c
/// (quantize_row_q6_K_ref, dequantize_row_q6_K).
/// </summary>
internal static class BlockQ6K
{
    public const int BlockSize = 256;
    public const int BlockBytes = 210;
    public const int QhOffset = 128;
    public const int ScalesOffset = 192;
    public const int DOffset = 208;

    /// <summary>The 6-bit level (0..63) of element <paramref name="e"/> in <paramref name="block"/>.</summary>
    internal static int Level(ReadOnlySpan<byte> block, int e)
    {
        int half = e / 128, r = e % 128, quarter = r / 32, l = r % 32;
        int qlByte = block[64 * half + l + 32 * (quarter & 1)];
        int low = quarter < 2 ? qlByte & 0xF : qlByte >> 4;
        int high = (block[QhOffset + 32 * half + l] >> (2 * quarter)) & 3;
        return low | (high << 4);
    }

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int blocks = dst.Length / BlockSize;
        for (int ib = 0; ib < blocks; ib++)
        {
            ReadOnlySpan<byte> block = src.Slice(ib * BlockBytes, BlockBytes);
            float d = QuantMath.ReadHalf(block, DOffset);
            Span<float> y = dst.Slice(ib * BlockSize, BlockSize);
            for (int e = 0; e < BlockSize; e++)
                y[e] = d * (sbyte)block[ScalesOffset + e / 16] * (Level(block, e) - 32);
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
            float maxScale = 0, maxAbsScale = 0;
            for (int g = 0; g < 16; g++)
            {
                scales[g] = KQuantSearch.MakeQxQuants(16, 32, x.Slice(16 * g, 16), levels.Slice(16 * g, 16));
                float absScale = MathF.Abs(scales[g]);
                if (absScale > maxAbsScale) { maxAbsScale = absScale; maxScale = scales[g]; }
            }
            if (maxAbsScale < QuantMath.GroupMaxEps)
            {
                block.Clear();
                continue;
            }
            float iscale = -128f / maxScale;
            QuantMath.WriteHalf(block, DOffset, 1 / iscale);
            for (int g = 0; g < 16; g++)
                block[ScalesOffset + g] = (byte)(sbyte)Math.Min(127, QuantMath.NearestInt(iscale * scales[g]));
            float dAll = QuantMath.ReadHalf(block, DOffset);
            for (int g = 0; g < 16; g++)
            {
                float d = dAll * (sbyte)block[ScalesOffset + g];
                if (d == 0)
                    continue;
                for (int i = 0; i < 16; i++)
                    levels[16 * g + i] = (sbyte)(Math.Max(-32, Math.Min(31, QuantMath.NearestInt(x[16 * g + i] / d))) + 32);
            }
            Pack(levels, block);
        }
    }

    private static void Pack(ReadOnlySpan<sbyte> levels, Span<byte> block)
    {
        for (int half = 0; half < 2; half++)
        {
            int j = 128 * half;
            Span<byte> ql = block.Slice(64 * half, 64);
            Span<byte> qh = block.Slice(QhOffset + 32 * half, 32);
            for (int l = 0; l < 32; l++)
            {
                int q1 = levels[j + l], q2 = levels[j + l + 32], q3 = levels[j + l + 64], q4 = levels[j + l + 96];
                ql[l] = (byte)((q1 & 0xF) | ((q3 & 0xF) << 4));
                ql[l + 32] = (byte)((q2 & 0xF) | ((q4 & 0xF) << 4));
                qh[l] = (byte)((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6));
            }
        }
    }
}
