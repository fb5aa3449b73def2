namespace Wallfacer.Conformance.Reference;

// Running the model: logits at every position, greedy generation and perplexity, each on a fresh
// KV cache so that calls are independent of each other.
public sealed unsafe partial class LlamaReferenceModel
{
    /// <summary>
    /// Evaluates <paramref name="tokens"/> (positions 0…n−1, one sequence) in one batch on an empty KV
    /// cache and returns the logits at every position: <c>[n][VocabSize]</c>.
    /// </summary>
    public float[][] EvaluateLogits(int[] tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        lock (gate)
        {
            nint ctx = RequireContext();
            CheckPromptLength(tokens.Length, 0, nameof(tokens));
            CheckTokens(tokens, nameof(tokens));
            ClearMemory(ctx);
            LlamaBatch batch = LlamaNative.BatchInit(tokens.Length, 0, 1);
            try
            {
                FillBatch(ref batch, tokens, firstPosition: 0, allOutputs: true);
                DecodeOrThrow(ctx, batch);
                var rows = new float[tokens.Length][];
                for (int i = 0; i < tokens.Length; i++)
                    rows[i] = CopyLogits(ctx, i);
                return rows;
            }
            finally
            {
                LlamaNative.BatchFree(batch);
            }
        }
    }

    /// <summary>
    /// Greedy generation (argmax of the raw logits) after <paramref name="prompt"/>, on an empty KV cache,
    /// for at most <paramref name="count"/> tokens; stops at an end-of-generation token, which is not
    /// returned. <paramref name="logitsPerStep"/>[i] holds the logits that chose token i; when generation
    /// stopped at end-of-generation it has one more row, the logits that chose that token.
    /// </summary>
    public int[] GenerateGreedy(int[] prompt, int count, out float[][] logitsPerStep)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (gate)
        {
            nint ctx = RequireContext();
            CheckPromptLength(prompt.Length, count, nameof(prompt));
            CheckTokens(prompt, nameof(prompt));
            ClearMemory(ctx);
            LlamaBatch batch = LlamaNative.BatchInit(prompt.Length, 0, 1);
            try
            {
                return GreedyLoop(ctx, ref batch, prompt, count, out logitsPerStep);
            }
            finally
            {
                LlamaNative.BatchFree(batch);
            }
        }
    }

    /// <summary>
    /// Perplexity as llama.cpp's <c>perplexity</c> tool computes it (docs/conformance.md): ⌊n/ctx⌋ chunks of
    /// <paramref name="ctx"/> tokens, position 0 of each replaced by BOS; the predictions at positions
    /// ctx/2 … ctx−2 are scored against the next token; returns exp(mean negative log-likelihood). The
    /// log-softmax is computed here in double from llama.cpp's float logits.
    /// </summary>
    public double Perplexity(int[] tokensWithBos, int ctx)
    {
        ArgumentNullException.ThrowIfNull(tokensWithBos);
        ArgumentOutOfRangeException.ThrowIfLessThan(ctx, 4);
        if (ctx > contextSize)
            throw new ArgumentOutOfRangeException(nameof(ctx), $"perplexity chunks of {ctx} tokens exceed the loaded context of {contextSize}.");
        int chunkCount = tokensWithBos.Length / ctx;
        if (chunkCount == 0)
            throw new ArgumentException(
                $"perplexity needs at least one chunk of {ctx} tokens; the text has {tokensWithBos.Length}.", nameof(tokensWithBos));
        if (Bos < 0)
            throw new InvalidOperationException($"'{path}' has no BOS token, which the perplexity convention needs.");

        double negativeLogLikelihood = 0;
        int scored = 0;
        int first = ctx / 2;
        for (int c = 0; c < chunkCount; c++)
        {
            int[] chunk = tokensWithBos.AsSpan(c * ctx, ctx).ToArray();
            chunk[0] = Bos;
            float[][] logits = EvaluateLogits(chunk);
            for (int i = first; i <= ctx - 2; i++)
            {
                negativeLogLikelihood += NegativeLogLikelihood(logits[i], chunk[i + 1]);
                scored++;
            }
        }
        return Math.Exp(negativeLogLikelihood / scored);
    }

    private int[] GreedyLoop(nint ctx, ref LlamaBatch batch, int[] prompt, int count, out float[][] logitsPerStep)
    {
        var generated = new List<int>(count);
        var steps = new List<float[]>(count + 1);
        if (count > 0)
        {
            FillBatch(ref batch, prompt, firstPosition: 0, allOutputs: false);
            DecodeOrThrow(ctx, batch);
            int position = prompt.Length;
            while (true)
            {
                float[] logits = CopyLogits(ctx, batch.TokenCount - 1);
                steps.Add(logits);
                int next = ArgMax(logits);
                if (LlamaNative.VocabIsEog(vocab, next) != 0)
                    break;
                generated.Add(next);
                if (generated.Count == count)
                    break;
                FillBatch(ref batch, [next], position++, allOutputs: false);
                DecodeOrThrow(ctx, batch);
            }
        }
        logitsPerStep = [.. steps];
        return [.. generated];
    }

    private void CheckPromptLength(int promptLength, int generated, string parameterName)
    {
        if (promptLength == 0)
            throw new ArgumentException("llama.cpp needs at least one token to evaluate (e.g. BOS).", parameterName);
        if (promptLength + generated > contextSize)
            throw new ArgumentException(
                $"{promptLength} tokens plus {generated} generated exceed the context of {contextSize} tokens; load with a larger contextSize.",
                parameterName);
    }

    private static void ClearMemory(nint ctx) => LlamaNative.MemoryClear(LlamaNative.GetMemory(ctx), 1);

    /// <summary>One sequence (id 0) at consecutive positions; outputs at every position or only the last.</summary>
    private static void FillBatch(ref LlamaBatch batch, ReadOnlySpan<int> tokens, int firstPosition, bool allOutputs)
    {
        for (int i = 0; i < tokens.Length; i++)
        {
            batch.Tokens[i] = tokens[i];
            batch.Positions[i] = firstPosition + i;
            batch.SequenceIdCounts[i] = 1;
            batch.SequenceIds[i][0] = 0;
            batch.Outputs[i] = (sbyte)(allOutputs || i == tokens.Length - 1 ? 1 : 0);
        }
        batch.TokenCount = tokens.Length;
    }

    private void DecodeOrThrow(nint ctx, LlamaBatch batch)
    {
        int status = LlamaNative.Decode(ctx, batch);
        if (status != 0)
            throw new InvalidOperationException(
                $"llama_decode returned {status} for a batch of {batch.TokenCount} tokens on '{path}' (set WALLFACER_LLAMA_LOG=1 to see why).");
    }

    private float[] CopyLogits(nint ctx, int batchIndex)
    {
        float* logits = LlamaNative.GetLogitsIth(ctx, batchIndex);
        if (logits == null)
            throw new InvalidOperationException($"llama.cpp returned no logits for batch position {batchIndex}.");
        return new ReadOnlySpan<float>(logits, VocabSize).ToArray();
    }

    private static int ArgMax(float[] values)
    {
        // First index of the maximum, as llama.cpp's greedy sampler picks ties.
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
                best = i;
        }
        return best;
    }

    private static double NegativeLogLikelihood(float[] logits, int target)
    {
        double max = double.NegativeInfinity;
        foreach (float l in logits)
            max = Math.Max(max, l);
        double sum = 0;
        foreach (float l in logits)
            sum += Math.Exp(l - max);
        return max + Math.Log(sum) - logits[target];
    }
}
