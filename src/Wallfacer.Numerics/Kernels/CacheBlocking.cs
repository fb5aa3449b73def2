namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// The order in which the AVX2 row kernels' token tiles (<see cref="TokenTiles{TKernel}"/>,
/// <see cref="MatVecKRows256{TFormat}"/>) meet a chunk of rows in a prompt: tokens in blocks whose activations stay in
/// L2, and within a block, rows in panels whose weights stay in L2 while every tile of the block passes over them.
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

    /// <summary>Activations per token block: half an L2, beside a panel.</summary>
    public const int TokenBlockBytes = 256 * 1024;

    /// <summary>Rows per panel for rows of <paramref name="rowBytes"/> (at least one).</summary>
    public static int PanelRows(long rowBytes) => (int)Math.Max(1, PanelBytes / Math.Max(1, rowBytes));

    /// <summary>Tokens per block for activation rows of <paramref name="tokenBytes"/>: whole tiles of <paramref name="tile"/>, at least one.</summary>
    public static int TokenBlock(long tokenBytes, int tile) =>
        (int)Math.Max(tile, TokenBlockBytes / Math.Max(1, tokenBytes) / tile * tile);
}
