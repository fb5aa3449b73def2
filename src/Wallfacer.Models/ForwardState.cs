using Wallfacer.Models.Blocks;
using Wallfacer.Models.Cache;
using Wallfacer.Numerics.Kernels;

namespace Wallfacer.Models;

/// <summary>
/// The "run state" of one session (llama2.c's RunState): every activation buffer of the forward pass,
/// allocated once for up to <see cref="MaxBatch"/> tokens so that steady-state generation allocates nothing.
/// Shapes are given as (rows, columns), rows being tokens of the current batch.
/// </summary>
public sealed class ForwardState
{
    public ForwardState(DecoderConfig c, int maxBatch, int workers)
    {
        if (maxBatch < 1)
            throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, "The batch must hold at least one token.");
        MaxBatch = maxBatch;
        int attnWidth = c.HeadCount * c.ValueHeadDim;
        X = Pinned(maxBatch * c.EmbeddingLength);
        Normed = Pinned(maxBatch * c.EmbeddingLength);
        Q = Pinned(maxBatch * c.QueryWidth);
        K = Pinned(maxBatch * c.KeyWidth);
        V = Pinned(maxBatch * c.ValueWidth);
        AttentionOut = Pinned(maxBatch * attnWidth);
        Projected = Pinned(maxBatch * c.EmbeddingLength);
        Gate = Pinned(maxBatch * c.FeedForwardLength);
        Up = Pinned(maxBatch * c.FeedForwardLength);
        Logits = Pinned(maxBatch * c.VocabSize);
        RopeCos = new float[c.RotaryDims / 2];
        RopeSin = new float[c.RotaryDims / 2];
        Attention = new AttentionWork(c, workers);
        RowCaches = new KvCache[maxBatch];
        RowPositions = new int[maxBatch];
    }

    /// <summary>Most tokens one forward call may take.</summary>
    public int MaxBatch { get; }

    internal float[] X { get; }            // (batch, embedding): the residual stream
    internal float[] Normed { get; }       // (batch, embedding): RMSNorm output
    internal float[] Q { get; }            // (batch, heads·keyDim)
    internal float[] K { get; }            // (batch, kvHeads·keyDim)
    internal float[] V { get; }            // (batch, kvHeads·valueDim)
    internal float[] AttentionOut { get; } // (batch, heads·valueDim)
    internal float[] Projected { get; }    // (batch, embedding): a block's output before the residual add
    internal float[] Gate { get; }         // (batch, ffn)
    internal float[] Up { get; }           // (batch, ffn)
    internal float[] RopeCos { get; }      // (rotaryDims/2)
    internal float[] RopeSin { get; }      // (rotaryDims/2)
    internal MatMul MatMul { get; } = new();
    internal AttentionWork Attention { get; }
    internal KvCache[] RowCaches { get; }   // (batch): the sequence each row belongs to
    internal int[] RowPositions { get; }    // (batch): each row's position in its sequence

    /// <summary>(batch, embedding) final-normed hidden states after a <see cref="LogitsFor.HiddenStates"/> forward call.</summary>
    public ReadOnlySpan<float> HiddenStates => Normed;

    /// <summary>(batch, vocab) logits written by the last forward call; see <see cref="Transformer.Forward"/>.</summary>
    public float[] Logits { get; }

    private static float[] Pinned(int length) => GC.AllocateArray<float>(length, pinned: true);
}
