using System.Numerics.Tensors;
using System.Text;
using Wallfacer.Conformance.Reference;

namespace Wallfacer.Bench;

/// <summary>
/// llama.cpp as docs/benchmarks.md describes the peer: the model loaded with default parameters, a context
/// with default parameters except its size and <c>n_threads = n_threads_batch = T</c>, one
/// <c>llama_decode</c> per prompt and per generated token. Its perf counters are switched on (they are off
/// by default) only to cross-check our wall-clock timing; they cost a clock read per decode.
/// </summary>
internal sealed unsafe class LlamaEngine : IBenchEngine
{
    private nint _model;
    private nint _context;
    private LlamaBatch _batch;
    private readonly int _batchCapacity;
    private int _position;

    private LlamaEngine(nint model, nint context, int batchCapacity)
    {
        _model = model;
        _context = context;
        _batchCapacity = batchCapacity;
        _batch = LlamaNative.BatchInit(batchCapacity, 0, 1);
        VocabSize = LlamaNative.VocabTokenCount(LlamaNative.ModelGetVocab(model));
    }

    public int VocabSize { get; }

    /// <summary>Loads <paramref name="path"/>; <paramref name="batchSize"/> 0 keeps llama.cpp's default batch sizes.</summary>
    public static LlamaEngine Load(string path, int threads, int contextLength, int batchSize)
    {
        nint model = LoadModel(path);
        LlamaContextParams parameters = LlamaNative.ContextDefaultParams();
        parameters.ContextSize = (uint)contextLength;
        parameters.Threads = threads;
        parameters.BatchThreads = threads;
        parameters.NoPerf = 0;
        if (batchSize > 0)
        {
            parameters.BatchSize = (uint)batchSize;
            parameters.MicroBatchSize = (uint)batchSize;
        }
        nint context = LlamaNative.InitFromModel(model, parameters);
        if (context == 0)
        {
            LlamaNative.ModelFree(model);
            throw new InvalidDataException($"llama.cpp could not create a {contextLength}-token context for '{path}'.");
        }
        return new LlamaEngine(model, context, contextLength);
    }

    /// <summary><c>llama_model_load_from_file</c> with default parameters; throws when llama.cpp refuses the file.</summary>
    public static nint LoadModel(string path)
    {
        LlamaLibrary.EnsureInitialized();
        nint model;
        fixed (byte* p = Encoding.UTF8.GetBytes(path + "\0"))
            model = LlamaNative.ModelLoadFromFile(p, LlamaNative.ModelDefaultParams());
        return model != 0 ? model
            : throw new InvalidDataException($"llama.cpp could not load '{path}' (set WALLFACER_LLAMA_LOG=1 to see why).");
    }

    public int EvaluateGreedy(ReadOnlySpan<int> tokens)
    {
        if (tokens.IsEmpty || tokens.Length > _batchCapacity)
            throw new ArgumentOutOfRangeException(nameof(tokens), tokens.Length, $"A batch holds 1 to {_batchCapacity} tokens.");
        for (int i = 0; i < tokens.Length; i++)
        {
            _batch.Tokens[i] = tokens[i];
            _batch.Positions[i] = _position + i;
            _batch.SequenceIdCounts[i] = 1;
            _batch.SequenceIds[i][0] = 0;
            _batch.Outputs[i] = (sbyte)(i == tokens.Length - 1 ? 1 : 0);
        }
        _batch.TokenCount = tokens.Length;
        int status = LlamaNative.Decode(_context, _batch);
        if (status != 0)
            throw new InvalidOperationException($"llama_decode returned {status} for {tokens.Length} tokens at position {_position}.");
        _position += tokens.Length;
        float* logits = LlamaNative.GetLogitsIth(_context, tokens.Length - 1);
        if (logits == null)
            throw new InvalidOperationException("llama.cpp returned no logits for the last position.");
        return TensorPrimitives.IndexOfMax(new ReadOnlySpan<float>(logits, VocabSize));
    }

    public void Reset()
    {
        LlamaNative.MemoryClear(LlamaNative.GetMemory(_context), 1);
        _position = 0;
    }

    public void ResetInternalTimer() => LlamaBenchNative.PerfContextReset(_context);

    public double? InternalMilliseconds
    {
        get
        {
            var perf = LlamaBenchNative.PerfContext(_context);
            return perf.PromptEvalMs + perf.EvalMs;
        }
    }

    public void Dispose()
    {
        if (_context != 0)
        {
            LlamaNative.BatchFree(_batch);
            LlamaNative.Free(_context);
            LlamaNative.ModelFree(_model);
        }
        _context = 0;
        _model = 0;
    }
}
