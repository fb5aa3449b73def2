using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Wallfacer.Numerics.Kernels;

/// <summary>A row kernel's tile of up to eight tokens, compiled once per token count (<see cref="ITokenCount"/>).</summary>
internal unsafe interface IRowTokens
{
    /// <summary>
    /// One row × <typeparamref name="TTokens"/> tokens (values <paramref name="valueRowBytes"/> apart, block scales
    /// <paramref name="dxStride"/> apart); <paramref name="dw"/> holds the row's weight scales from <see cref="WidenScales"/>.
    /// </summary>
    static abstract void RowTokens<TTokens>(byte* row, float* dw, int blocks, byte* values, nint valueRowBytes, float* dx,
        nint dxStride, float* y, nint yStride)
        where TTokens : struct, ITokenCount;

    /// <summary>The fp16 weight scales of a row's <paramref name="blocks"/> blocks as floats, exactly, into <paramref name="into"/>.</summary>
    static abstract void WidenScales(byte* row, int blocks, float* into);

    /// <summary>
    /// Rows [<paramref name="first"/>, <paramref name="end"/>) of the matrix at <paramref name="w"/> as row-major rows
    /// <paramref name="rowBytes"/> apart, for this kernel's tiles: in place for the file's layout, or copied into
    /// per-thread room (owned by the calling thread until its next call) for a layout the tiles do not read directly.
    /// </summary>
    static abstract byte* Panel(byte* w, int rowBytes, int first, int end);
}

/// <summary>
/// Runs a 32-element-block row kernel's token tiles (<see cref="MatVecRows256{TFormat, TActivation}"/>,
/// <see cref="MatVecQ5_0Sliced256"/>): tokens by up to <see cref="TileTokens"/>, each tile over a panel of rows, in
/// <see cref="CacheBlocking"/>'s order. A panel's weight scales are widened to floats once (<see cref="PanelScales"/>)
/// for every tile that passes over it: widening eight fp16 scales took eight scalar loads and inserts and a dozen
/// vector instructions per chunk of eight blocks, about a seventh of a tile step's instructions, and was repeated by
/// every tile.
/// </summary>
internal static unsafe class TokenTiles<TKernel> where TKernel : struct, IRowTokens
{
    /// <summary>Most tokens in one tile.</summary>
    public const int TileTokens = 8;

    /// <summary>
    /// y[t·<paramref name="yStride"/> + r] for rows [start, end) and <paramref name="tokens"/> activation rows given as
    /// values (laid out by <see cref="AlignedActivations.CopyQ8_0Values"/>) and block scales as floats (token t's at
    /// <paramref name="dx"/> + t·<paramref name="dxStride"/>).
    /// </summary>
    public static void Run(byte* w, int rowBytes, int start, int end, int blocks, byte* values, float* dx, int dxStride,
        int tokens, float* y, int yStride)
    {
        int valueRowBytes = AlignedActivations.Q8_0ValueRowBytes(blocks);
        int tokenBlock = CacheBlocking.TokenBlock(valueRowBytes, TileTokens, CacheBlocking.TokenBlockBytes), panelRows = CacheBlocking.PanelRows(rowBytes);
        int scaleStride = PanelScales.RowFloats(blocks);
        for (int block = 0; block < tokens; block += tokenBlock)
        {
            int blockEnd = Math.Min(tokens, block + tokenBlock);
            int tiles = (blockEnd - block + TileTokens - 1) / TileTokens;
            for (int panel = start; panel < end; panel += panelRows)
            {
                int panelEnd = Math.Min(end, panel + panelRows);
                byte* rows = TKernel.Panel(w, rowBytes, panel, panelEnd);
                float* dw = PanelScales.Rent((long)(panelEnd - panel) * scaleStride);
                for (int r = panel; r < panelEnd; r++)
                    TKernel.WidenScales(rows + (long)(r - panel) * rowBytes, blocks, dw + (long)(r - panel) * scaleStride);
                var ahead = NextPanel(w, rowBytes, start, end, panelEnd, panelRows, blockEnd < tokens, (panelEnd - panel) * tiles);
                for (int t = block; t < blockEnd; t += TileTokens)
                    Tile(rows, rowBytes, panel, panelEnd, dw, scaleStride, blocks, values + (long)t * valueRowBytes, valueRowBytes,
                        dx + (long)t * dxStride, dxStride, Math.Min(TileTokens, blockEnd - t), y + (long)t * yStride, yStride, ref ahead);
            }
        }
    }

    /// <summary>
    /// The weights the tiles of the current panel fetch in software for the next one: the panel after
    /// <paramref name="panelEnd"/>, or the first of the next token block, spread over the panel's
    /// <paramref name="rowVisits"/> (rows × tiles). Widening a panel's scales touches every cache line of its weights; without
    /// this, that pass waited on memory alone (about 5% of a Qwen2.5-0.5B Q8_0 prompt), while the tiles' arithmetic
    /// leaves the memory idle.
    /// </summary>
    private static PanelPrefetch NextPanel(byte* w, int rowBytes, int start, int end, int panelEnd, int panelRows,
        bool moreTokenBlocks, int rowVisits)
    {
        int from = panelEnd < end ? panelEnd : moreTokenBlocks ? start : end;
        int to = Math.Min(end, from + panelRows);
        long bytes = (long)(to - from) * rowBytes;
        long lines = (bytes + CacheLineBytes - 1) / CacheLineBytes;
        int perVisit = (int)((lines + rowVisits - 1) / rowVisits); // a panel has rows and a token block tiles: ≥ 1
        return new PanelPrefetch(w + (long)from * rowBytes, w + (long)from * rowBytes + bytes, perVisit);
    }

    private const int CacheLineBytes = 64;

    /// <summary>Where the next software prefetch goes, up to where, and how many cache lines per row visit.</summary>
    private struct PanelPrefetch(byte* next, byte* end, int linesPerVisit)
    {
        private byte* _next = next;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Step()
        {
            for (int i = 0; i < linesPerVisit && _next < end; i++, _next += CacheLineBytes)
                Sse.Prefetch0(_next);
        }
    }

    /// <summary>
    /// Rows [start, end) × <paramref name="n"/> (1 … <see cref="TileTokens"/>) tokens from <paramref name="x"/>; row r at
    /// <paramref name="rows"/> + (r − start)·<paramref name="rowBytes"/>, its widened weight scales at
    /// <paramref name="scales"/> + (r − start)·<paramref name="scaleStride"/>.
    /// </summary>
    private static void Tile(byte* rows, int rowBytes, int start, int end, float* scales, int scaleStride, int blocks, byte* x,
        int valueRowBytes, float* xs, int dxStride, int n, float* yt, int yStride, ref PanelPrefetch ahead)
    {
        for (int r = start; r < end; r++)
        {
            ahead.Step();
            byte* row = rows + (long)(r - start) * rowBytes;
            float* dw = scales + (long)(r - start) * scaleStride;
            switch (n)
            {
                case 1: TKernel.RowTokens<OneToken>(row, dw, blocks, x, valueRowBytes, xs, dxStride, yt + r, yStride); break;
                case 2: TKernel.RowTokens<TwoTokens>(row, dw, blocks, x, valueRowBytes, xs, dxStride, yt + r, yStride); break;
                case 3: TKernel.RowTokens<ThreeTokens>(row, dw, blocks, x, valueRowBytes, xs, dxStride, yt + r, yStride); break;
                case 4: TKernel.RowTokens<FourTokens>(row, dw, blocks, x, valueRowBytes, xs, dxStride, yt + r, yStride); break;
                case 5: TKernel.RowTokens<FiveTokens>(row, dw, blocks, x, valueRowBytes, xs, dxStride, yt + r, yStride); break;
                case 6: TKernel.RowTokens<SixTokens>(row, dw, blocks, x, valueRowBytes, xs, dxStride, yt + r, yStride); break;
                case 7: TKernel.RowTokens<SevenTokens>(row, dw, blocks, x, valueRowBytes, xs, dxStride, yt + r, yStride); break;
                default: TKernel.RowTokens<EightTokens>(row, dw, blocks, x, valueRowBytes, xs, dxStride, yt + r, yStride); break;
            }
        }
    }
}
