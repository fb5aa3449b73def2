namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// The order in which the AVX2 row kernels' token tiles (<see cref="TokenTiles{TKernel}"/>,
/// <see cref="MatVecKRows256{TFormat}"/>) meet a chunk of rows in a prompt: tokens in blocks whose activations stay in
/// cache, and within a block, rows in panels whose weights stay in L2 while every tile of the block passes over them.
/// </summary>
/// <remarks>
/// Why: a tile holds 8 to 16 tokens, so a prompt of 128 tokens is 8 to 16 tiles. Run tile by tile over the whole
/// chunk (a quarter of a thread's share of the rows: megabytes), each tile pulled every weight from L3 or memory again; by
/// panels, a weight comes from memory once per token block. What each (row, token) computes does not change, only when
/// (results stay bit-identical).
/// </remarks>
internal static class CacheBlocking
{
    /// <summary>Weights per row panel: a few dozen rows of a 2048-column Q8_0 matrix, an eighth of a Zen/Skylake L2.</summary>
    public const int PanelBytes = 64 * 1024;

    /// <summary>
    /// Activations per token block of the 32-element-block tiles (<see cref="TokenTiles{TKernel}"/>): 1 MiB, twice a
    /// Zen 3 core's L2, so a 128-token prompt is one block up to 4096 columns and a block holds 120 tokens at 8192.
    /// A tile re-reads its eight tokens for every row of a panel (from L2), and the block's activations come from L3
    /// once per panel; each further block reads every weight from memory again. With half an L2 (256 KiB: 120 tokens at
    /// 2048 columns, 24 at 8192) the kernel bench's Q8_0 prompt (<c>prompt 1 128 Q8_0 64 …</c>, 3–8 alternations, one Zen
    /// 3 core) ran 2048 × 8192 at 27.1 against 32.1 GMAC/s with 1 MiB, 2304 × 5760 at 32.5 against 36.0; at 512 tokens
    /// 29.9 against 33.9 and 35.6 against 37.0; two threads at 512 tokens 61.0 against 64.8 (2048 × 8192) and 68.4
    /// against 75.6 (2304 × 2304). 4 MiB measured the same as 1 MiB.
    /// </summary>
    public const int TokenBlockBytes = 1024 * 1024;

    /// <summary>
    /// Activations per token block of the K-quant tiles (<see cref="MatVecKRows256{TFormat}"/>, which prompts reach only
    /// with the lane tiles off): half an L2, beside a panel (not re-measured with <see cref="TokenBlockBytes"/>).
    /// </summary>
    public const int KTokenBlockBytes = 256 * 1024;

    /// <summary>Rows per panel for rows of <paramref name="rowBytes"/> (at least one).</summary>
    public static int PanelRows(long rowBytes) => (int)Math.Max(1, PanelBytes / Math.Max(1, rowBytes));

    /// <summary>
    /// Tokens per block for activation rows of <paramref name="tokenBytes"/> and <paramref name="blockBytes"/> of them
    /// per block: whole tiles of <paramref name="tile"/>, at least one.
    /// </summary>
    public static int TokenBlock(long tokenBytes, int tile, int blockBytes) =>
        (int)Math.Max(tile, blockBytes / Math.Max(1, tokenBytes) / tile * tile);
}
