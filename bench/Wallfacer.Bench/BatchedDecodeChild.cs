using System.Diagnostics;
using System.Numerics.Tensors;
using Wallfacer.Conformance.Reference;
using Wallfacer.Inference.Engine;
using Wallfacer.Models;
using Wallfacer.Models.Cache;
using Wallfacer.Numerics.Threading;

namespace Wallfacer.Bench;

/// <summary>What one batched-decode child measured: <see cref="Sequences"/> sequences decoded together, one token each per step.</summary>
internal sealed record BatchedDecodeResult(string Engine, int Threads, int Sequences, int Steps, double WallMilliseconds)
{
    /// <summary>Aggregate generated tokens per second over all sequences.</summary>
    public double TokensPerSecond => Sequences * Steps / (WallMilliseconds / 1000.0);
}

/// <summary>
/// The child side of <c>--sequences</c>: each of N sequences gets its own short prompt (evaluated alone), then
/// <c>--gen</c> decode steps run N tokens — one per sequence — through one forward pass (continuous batching, what
/// a server's decode loop does; llama-server batches its slots the same way). Greedy, no sampling cost.
/// </summary>
internal static unsafe class BatchedDecodeChild
{
    public const int PromptLength = 16;
    private const int WarmUpSteps = 16; // past tiered compilation: a short measurement would otherwise time the JIT

    public static BatchedDecodeResult Run(string engine, string path, int threads, int sequences, int steps, int context) =>
        engine == "llama" ? Llama(path, threads, sequences, steps, context) : Wallfacer(path, threads, sequences, steps, context);

    private static int[] Prompt(int sequence, int vocab) =>
        Enumerable.Range(0, PromptLength).Select(i => (int)((sequence * 7919L + i * 104729L + 17) % vocab)).ToArray();

    /// <summary>Wallfacer's batched decode: <see cref="Transformer.ForwardSequences"/> over one cache per sequence.</summary>
    private static BatchedDecodeResult Wallfacer(string path, int threads, int sequences, int steps, int context)
    {
        using var model = LanguageModel.Load(path, regroupWeights: true); // as `wallfacer serve --parallel N` loads it
        var decoder = model.Decoder;
        var config = decoder.Config;
        using var pool = new WorkerPool(threads);
        var prefill = new ForwardState(config, PromptLength, threads);
        var decode = new ForwardState(config, sequences, threads);
        var caches = new KvCache[sequences];
        int[] next = new int[sequences];
        for (int s = 0; s < sequences; s++)
        {
            caches[s] = new KvCache(config, context);
            Transformer.Forward(decoder, Prompt(s, config.VocabSize), caches[s], prefill, pool);
            next[s] = TensorPrimitives.IndexOfMax(prefill.Logits.AsSpan(0, config.VocabSize));
        }
        void Step()
        {
            Transformer.ForwardSequences(decoder, next, caches, decode, pool);
            for (int s = 0; s < sequences; s++)
                next[s] = TensorPrimitives.IndexOfMax(decode.Logits.AsSpan(s * config.VocabSize, config.VocabSize));
        }
        return Time("wallfacer", threads, sequences, steps, Step);
    }

    /// <summary>llama.cpp's: one context with N sequence ids, one <c>llama_decode</c> of N tokens per step.</summary>
    private static BatchedDecodeResult Llama(string path, int threads, int sequences, int steps, int context)
    {
        nint model = LlamaEngine.LoadModel(path);
        LlamaContextParams parameters = LlamaNative.ContextDefaultParams();
        parameters.ContextSize = (uint)(context * sequences); // llama.cpp gives each sequence an equal share
        parameters.MaxSequences = (uint)sequences;
        parameters.Threads = threads;
        parameters.BatchThreads = threads;
        nint ctx = LlamaNative.InitFromModel(model, parameters);
        if (ctx == 0)
            throw new InvalidDataException($"llama.cpp could not create a context for {sequences} sequences.");
        var batch = LlamaNative.BatchInit(Math.Max(PromptLength, sequences), 0, 1);
        int vocab = LlamaNative.VocabTokenCount(LlamaNative.ModelGetVocab(model));
        try
        {
            int[] next = new int[sequences], position = new int[sequences];
            for (int s = 0; s < sequences; s++)
            {
                int[] prompt = Prompt(s, vocab);
                for (int i = 0; i < prompt.Length; i++)
                    Put(ref batch, i, prompt[i], i, s, i == prompt.Length - 1);
                Decode(ctx, ref batch, prompt.Length);
                next[s] = TensorPrimitives.IndexOfMax(new ReadOnlySpan<float>(LlamaNative.GetLogitsIth(ctx, prompt.Length - 1), vocab));
                position[s] = prompt.Length;
            }
            void Step()
            {
                for (int s = 0; s < sequences; s++)
                    Put(ref batch, s, next[s], position[s]++, s, output: true);
                Decode(ctx, ref batch, sequences);
                for (int s = 0; s < sequences; s++)
                    next[s] = TensorPrimitives.IndexOfMax(new ReadOnlySpan<float>(LlamaNative.GetLogitsIth(ctx, s), vocab));
            }
            return Time("llama", threads, sequences, steps, Step);
        }
        finally
        {
            LlamaNative.BatchFree(batch);
            LlamaNative.Free(ctx);
            LlamaNative.ModelFree(model);
        }
    }

    private static void Put(ref LlamaBatch batch, int i, int token, int position, int sequence, bool output)
    {
        batch.Tokens[i] = token;
        batch.Positions[i] = position;
        batch.SequenceIdCounts[i] = 1;
        batch.SequenceIds[i][0] = sequence;
        batch.Outputs[i] = (sbyte)(output ? 1 : 0);
    }

    private static void Decode(nint ctx, ref LlamaBatch batch, int tokens)
    {
        batch.TokenCount = tokens;
        int status = LlamaNative.Decode(ctx, batch);
        if (status != 0)
            throw new InvalidOperationException($"llama_decode returned {status} for a batch of {tokens} tokens.");
    }

    private static BatchedDecodeResult Time(string engine, int threads, int sequences, int steps, Action step)
    {
        for (int i = 0; i < WarmUpSteps; i++)
            step();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++)
            step();
        return new BatchedDecodeResult(engine, threads, sequences, steps, clock.Elapsed.TotalMilliseconds);
    }
}
