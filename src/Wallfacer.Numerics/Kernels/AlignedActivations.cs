using System.Runtime.Intrinsics;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// Copies of the quantized activation rows that the AVX2 multi-token kernels read with aligned loads. The packed
/// blocks put many 32-byte loads across a cache line (Q8_K's 292-byte blocks every other run of 32 levels, Q8_0's
/// 34-byte blocks half of the value loads), and a split load costs two; a prompt re-reads each activation row once per
/// tile of weight rows, so copying it once per call pays (a C model of the K-quant run loop: 1.86 cycles per run ×
/// token packed, 1.42 aligned). The destination must be 64-byte aligned.
/// </summary>
internal static unsafe class AlignedActivations
{
    /// <summary>Bytes per Q8_K block slot: the block starts <see cref="Q8KOffset"/> bytes in, so its levels (at +4) are 32-byte aligned.</summary>
    public const int Q8KSlotBytes = 320, Q8KOffset = 28;

    /// <summary>Bytes per activation row in the Q8_K layout (<see cref="Padded"/>).</summary>
    public static int Q8KRowBytes(int superBlocks) => Padded(superBlocks * Q8KSlotBytes);

    /// <summary>
    /// A row stride that is not a multiple of 1 KiB. A tile reads the same block of 8–16 token rows together; rows a
    /// multiple of 4 KiB apart put those lines in one set of the 8-way, 4 KiB-per-way L1 (at 8192 columns every token of
    /// a tile, at 2048 half of them), so they evict each other. One more 64-byte line per row spreads them over the sets.
    /// </summary>
    private static int Padded(int rowBytes) => rowBytes % 1024 == 0 ? rowBytes + 64 : rowBytes;

    /// <summary>
    /// Copies <paramref name="tokens"/> Q8_K rows into slots of <see cref="Q8KSlotBytes"/>, <see cref="Q8KRowBytes"/>
    /// per row; block b of token t then starts at <paramref name="into"/> + t·row + b·slot + <see cref="Q8KOffset"/>.
    /// </summary>
    public static void CopyQ8K(byte* act, int actRowBytes, int tokens, int superBlocks, byte* into)
    {
        for (int t = 0; t < tokens; t++)
        {
            byte* source = act + (long)t * actRowBytes, row = into + (long)t * Q8KRowBytes(superBlocks) + Q8KOffset;
            for (int b = 0; b < superBlocks; b++)
                Buffer.MemoryCopy(source + (long)b * BlockQ8K.BlockBytes, row + (long)b * Q8KSlotBytes, BlockQ8K.BlockBytes, BlockQ8K.BlockBytes);
        }
    }

    /// <summary>Bytes per activation row in the values-only Q8_0 layout (<see cref="Padded"/>).</summary>
    public static int Q8_0ValueRowBytes(int blocks) => Padded(blocks * 32);

    /// <summary>
    /// Copies the 32 int8 values of every Q8_0 block of <paramref name="tokens"/> rows without their fp16 scales (the
    /// kernels take those as floats), <see cref="Q8_0ValueRowBytes"/> per row.
    /// </summary>
    public static void CopyQ8_0Values(byte* act, int actRowBytes, int tokens, int blocks, byte* into)
    {
        for (int t = 0; t < tokens; t++)
        {
            byte* source = act + (long)t * actRowBytes + 2, row = into + (long)t * Q8_0ValueRowBytes(blocks);
            for (int b = 0; b < blocks; b++)
                Vector256.Load(source + (long)b * BlockQ8_0.BlockBytes).Store(row + 32L * b);
        }
    }
}
