using Wallfacer.Models.Cache;
using Wallfacer.Models.Weights;
using Wallfacer.Numerics.Kernels;
using Wallfacer.Numerics.Threading;

namespace Wallfacer.Models;

/// <summary>Which positions of a batch need logits.</summary>
public enum LogitsFor
{
    /// <summary>Only the last token (generation, prompt processing).</summary>
    LastToken,
    /// <summary>Every token (perplexity, conformance).</summary>
    AllTokens,
    /// <summary>No logits: every token's final-normed hidden state, in <c>state.HiddenStates</c> (embeddings).</summary>
    HiddenStates,
}

/// <summary>
/// The Llama-family forward pass, top to bottom like the paper (llama2.c <c>forward</c>): embed, then per
/// block pre-norm attention and pre-norm SwiGLU feed-forward with residual adds, then the final norm and
/// the output projection. Architecture differences are data in <see cref="DecoderConfig"/>.
/// </summary>
public static class Transformer
{
    /// <summary>
    /// Runs <paramref name="tokens"/> (at positions <c>cache.Length …</c>) through the model, appends their keys
    /// and values to <paramref name="cache"/>, and writes logits to <c>state.Logits</c>: row 0 holds the last
    /// token's logits for <see cref="LogitsFor.LastToken"/>; row t holds token t's for <see cref="LogitsFor.AllTokens"/>.
    /// </summary>
    public static void Forward(DecoderModel model, ReadOnlySpan<int> tokens, KvCache cache, ForwardState s,
        WorkerPool pool, LogitsFor logitsFor = LogitsFor.LastToken)
    {
        int n = tokens.Length, start = cache.Length;
        if (n == 0 || n > s.MaxBatch)
            throw new ArgumentException($"A forward call takes 1..{s.MaxBatch} tokens, got {n}.", nameof(tokens));
        if (start + n > cache.Capacity)
            throw new InvalidOperationException(
                $"The context is full: {start} + {n} tokens exceed its {cache.Capacity} positions.");
        for (int t = 0; t < n; t++)
        {
            s.RowCaches[t] = cache;
            s.RowPositions[t] = start + t;
        }
        Run(model, tokens, s, pool, logitsFor, oneSequence: cache);
        cache.SetLength(start + n);
        Array.Clear(s.RowCaches, 0, n);
    }

    /// <summary>
    /// One decode step for several sequences at once (continuous batching): token t is appended to
    /// <paramref name="caches"/>[t] at its next position. A cache may appear in several rows (a prompt riding the step
    /// several tokens at once): its rows take consecutive positions in row order, each attending to the ones before.
    /// The weights are read once for all of them; each row's attention sees only its own cache. Row t of
    /// <c>state.Logits</c> receives row t's logits — for every row, or only where <paramref name="logitsWanted"/>[t]
    /// is true (a prompt token riding the step needs none until the prompt's last; the output projection is the
    /// largest matrix of a small model). Other rows are left stale.
    /// </summary>
    public static void ForwardSequences(DecoderModel model, ReadOnlySpan<int> tokens, ReadOnlySpan<KvCache> caches,
        ForwardState s, WorkerPool pool, ReadOnlySpan<bool> logitsWanted = default)
    {
        int n = tokens.Length;
        if (n == 0 || n > s.MaxBatch || caches.Length != n)
            throw new ArgumentException($"A batched decode takes 1..{s.MaxBatch} tokens, one cache per token; got {n} tokens and {caches.Length} caches.");
        if (!logitsWanted.IsEmpty && logitsWanted.Length != n)
            throw new ArgumentException($"logitsWanted has {logitsWanted.Length} entries for {n} tokens; give one per token or none.", nameof(logitsWanted));
        for (int t = 0; t < n; t++)
        {
            var cache = caches[t];
            int position = cache.Length;
            for (int u = 0; u < t; u++)
                if (ReferenceEquals(caches[u], cache))
                    position++; // an earlier row of the same sequence
            if (position >= cache.Capacity)
                throw new InvalidOperationException($"The context of row {t}'s sequence is full ({cache.Capacity} positions).");
            s.RowCaches[t] = cache;
            s.RowPositions[t] = position;
        }
        Run(model, tokens, s, pool, LogitsFor.AllTokens, oneSequence: null, logitsWanted);
        for (int t = 0; t < n; t++)
            caches[t].SetLength(s.RowPositions[t] + 1);
        Array.Clear(s.RowCaches, 0, n);
    }

    /// <summary>
    /// The layers and the output, for rows whose caches and positions are in <c>s.RowCaches</c>/<c>s.RowPositions</c>:
    /// consecutive positions of <paramref name="oneSequence"/>, or (null) one row per sequence.
    /// </summary>
    private static void Run(DecoderModel model, ReadOnlySpan<int> tokens, ForwardState s, WorkerPool pool,
        LogitsFor logitsFor, KvCache? oneSequence, ReadOnlySpan<bool> logitsWanted = default)
    {
        var c = model.Config;
        var w = model.Weights;
        int n = tokens.Length, E = c.EmbeddingLength;
        float[]? ropeFactors = w.RopeFactorsFor(s.RowCaches[0].Capacity);
        // A decode step's rows must not depend on what they are batched with; one sequence's prompt may take the
        // faster block sums (its batching is decided by the prompt alone).
        s.MatMul.BatchInvariant = oneSequence is null;

        Embed(w, c, tokens, s.X);                                       // x: (n, E)
        for (int l = 0; l < c.BlockCount; l++)
        {
            var layer = w.Layers[l];
            // Attention: x += Wo · attend(rope(Wq·norm(x)), cache) · residualScale
            NormRows(s.X, s.Normed, n, E, layer.AttentionNorm, c.RmsNormEpsilon);
            s.MatMul.Multiply(layer.Query, s.Normed, s.Q, n, pool);      // q: (n, heads·keyDim)
            s.MatMul.Multiply(layer.Key, s.Normed, s.K, n, pool);        // k: (n, kvHeads·keyDim)
            s.MatMul.Multiply(layer.Value, s.Normed, s.V, n, pool);      // v: (n, kvHeads·valueDim)
            AddBias(s.Q, layer.QueryBias, n);
            AddBias(s.K, layer.KeyBias, n);
            AddBias(s.V, layer.ValueBias, n);
            NormHeads(s.Q, layer.QueryNorm, n * c.HeadCount, c.KeyHeadDim, c.RmsNormEpsilon);
            NormHeads(s.K, layer.KeyNorm, n * c.KvHeadCount, c.KeyHeadDim, c.RmsNormEpsilon);
            for (int t = 0; t < n; t++)
            {
                int position = s.RowPositions[t];
                ApplyRope(c, s, position, ropeFactors, t);
                s.RowCaches[t].Store(l, position, s.K.AsSpan(t * c.KeyWidth, c.KeyWidth), s.V.AsSpan(t * c.ValueWidth, c.ValueWidth));
            }
            if (oneSequence is not null)
                s.Attention.Run(pool, oneSequence, l, s.Q, s.AttentionOut, n, s.RowPositions[0]);
            else
                s.Attention.RunRows(pool, s.RowCaches, s.RowPositions, l, s.Q, s.AttentionOut, n);
            s.MatMul.Multiply(layer.AttentionOutput, s.AttentionOut, s.Projected, n, pool);
            AddResidual(s.X, s.Projected, n * E, c.ResidualScale);

            // Feed-forward: x += Wdown · (silu(Wgate·norm(x)) ⊙ Wup·norm(x)) · residualScale
            NormRows(s.X, s.Normed, n, E, layer.FeedForwardNorm, c.RmsNormEpsilon);
            s.MatMul.Multiply(layer.Gate, s.Normed, s.Gate, n, pool);    // (n, ffn)
            s.MatMul.Multiply(layer.Up, s.Normed, s.Up, n, pool);        // (n, ffn)
            SwiGlu.ApplyRows(s.Gate, s.Up, n, c.FeedForwardLength);
            s.MatMul.Multiply(layer.Down, s.Gate, s.Projected, n, pool); // (n, E)
            AddResidual(s.X, s.Projected, n * E, c.ResidualScale);
        }

        // Output: logits = Wout · norm(x) / logitScale, for the rows asked for.
        if (!logitsWanted.IsEmpty)
        {
            OutputWantedRows(model, s, pool, logitsWanted);
            return;
        }
        int first = logitsFor == LogitsFor.LastToken ? n - 1 : 0, rows = n - first;
        NormRows(s.X.AsSpan(first * E), s.Normed, rows, E, w.OutputNorm, c.RmsNormEpsilon);
        if (logitsFor == LogitsFor.HiddenStates)
            return;
        s.MatMul.Multiply(w.Output, s.Normed, s.Logits, rows, pool);
        if (c.LogitScale != 1f)
            VectorOps.Scale(s.Logits.AsSpan(0, rows * c.VocabSize), 1.0f / c.LogitScale); // llama.cpp multiplies by the reciprocal
    }

    /// <summary>
    /// The output projection for the wanted rows only: their normed states side by side, one product, then each
    /// row's logits moved to its own row (last first, as a row only ever moves down). Each row's logits equal those of
    /// the full product, as the kernels compute every (row, token) output the same way whatever the batch.
    /// </summary>
    private static void OutputWantedRows(DecoderModel model, ForwardState s, WorkerPool pool, ReadOnlySpan<bool> wanted)
    {
        var c = model.Config;
        int E = c.EmbeddingLength, vocab = c.VocabSize, m = 0;
        Span<int> rowOf = stackalloc int[wanted.Length];
        for (int t = 0; t < wanted.Length; t++)
        {
            if (!wanted[t])
                continue;
            RmsNorm.Apply(s.X.AsSpan(t * E, E), model.Weights.OutputNorm, s.Normed.AsSpan(m * E, E), c.RmsNormEpsilon);
            rowOf[m++] = t;
        }
        if (m == 0)
            return;
        s.MatMul.Multiply(model.Weights.Output, s.Normed, s.Logits, m, pool);
        if (c.LogitScale != 1f)
            VectorOps.Scale(s.Logits.AsSpan(0, m * vocab), 1.0f / c.LogitScale);
        for (int k = m - 1; k >= 0; k--)
        {
            if (rowOf[k] != k)
                s.Logits.AsSpan(k * vocab, vocab).CopyTo(s.Logits.AsSpan(rowOf[k] * vocab, vocab));
        }
    }

    private static void Embed(ModelWeights w, DecoderConfig c, ReadOnlySpan<int> tokens, float[] x)
    {
        for (int t = 0; t < tokens.Length; t++)
        {
            int id = tokens[t];
            if ((uint)id >= (uint)c.VocabSize)
                throw new ArgumentOutOfRangeException(nameof(tokens), id, $"Token id outside the vocabulary of {c.VocabSize}.");
            var row = x.AsSpan(t * c.EmbeddingLength, c.EmbeddingLength);
            w.TokenEmbedding.DequantizeRow(id, row);
            if (c.EmbeddingScale != 1f)
                VectorOps.Scale(row, c.EmbeddingScale);
        }
    }

    private static void NormRows(ReadOnlySpan<float> x, Span<float> y, int rows, int width, float[] weight, float eps)
    {
        for (int r = 0; r < rows; r++)
            RmsNorm.Apply(x.Slice(r * width, width), weight, y.Slice(r * width, width), eps);
    }

    private static void NormHeads(float[] x, float[]? weight, int heads, int headDim, float eps)
    {
        if (weight is null)
            return;
        for (int h = 0; h < heads; h++)
        {
            var head = x.AsSpan(h * headDim, headDim);
            RmsNorm.Apply(head, weight, head, eps);
        }
    }

    private static void AddBias(float[] x, float[]? bias, int rows)
    {
        if (bias is null)
            return;
        for (int r = 0; r < rows; r++)
            VectorOps.Add(x.AsSpan(r * bias.Length, bias.Length), bias);
    }

    private static void ApplyRope(DecoderConfig c, ForwardState s, int position, float[]? factors, int t)
    {
        Rope.ComputeAngles(position, c.RotaryDims, c.RopeFreqBase, factors, s.RopeCos, s.RopeSin);
        for (int h = 0; h < c.HeadCount; h++)
            Rope.Apply(s.Q.AsSpan((t * c.HeadCount + h) * c.KeyHeadDim, c.KeyHeadDim), s.RopeCos, s.RopeSin, c.RopePairing);
        for (int h = 0; h < c.KvHeadCount; h++)
            Rope.Apply(s.K.AsSpan((t * c.KvHeadCount + h) * c.KeyHeadDim, c.KeyHeadDim), s.RopeCos, s.RopeSin, c.RopePairing);
    }

    private static void AddResidual(float[] x, float[] projected, int length, float scale)
    {
        if (scale == 1f)
            VectorOps.Add(x.AsSpan(0, length), projected.AsSpan(0, length));
        else
            VectorOps.AddScaled(x.AsSpan(0, length), projected.AsSpan(0, length), scale);
    }
}
