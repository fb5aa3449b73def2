using System.Text;

namespace Wallfacer.Conformance.Reference;

/// <summary>
/// A model loaded into llama.cpp (the reference), with one context for evaluation: tokenizer calls,
/// logits at every position, greedy generation and perplexity in llama.cpp's own conventions
/// (docs/conformance.md). Calls on one instance are serialised by a lock because a llama.cpp context
/// is not thread-safe; still, put reference tests in <see cref="LlamaCollection"/>.
/// </summary>
public sealed unsafe partial class LlamaReferenceModel : IDisposable
{
    private readonly Lock gate = new();
    private readonly string path;
    private readonly int contextSize;
    private nint model;
    private nint context; // 0 for a vocab-only model
    private readonly nint vocab;

    private LlamaReferenceModel(string path, nint model, nint context, int contextSize)
    {
        this.path = path;
        this.model = model;
        this.context = context;
        this.contextSize = contextSize;
        vocab = LlamaNative.ModelGetVocab(model);
        VocabSize = LlamaNative.VocabTokenCount(vocab);
        Bos = LlamaNative.VocabBos(vocab);
        Eos = LlamaNative.VocabEos(vocab);
    }

    /// <summary>Number of tokens in the vocabulary (the width of every logits row).</summary>
    public int VocabSize { get; }

    /// <summary>The beginning-of-sequence token id, or -1 when the vocabulary has none.</summary>
    public int Bos { get; }

    /// <summary>The end-of-sequence token id, or -1 when the vocabulary has none.</summary>
    public int Eos { get; }

    /// <summary>
    /// Loads <paramref name="ggufPath"/> with llama.cpp's default model parameters (mmap on) and, unless
    /// <paramref name="vocabOnly"/>, creates a context of <paramref name="contextSize"/> tokens whose batch
    /// holds a whole context, using <paramref name="threads"/> threads for both prompt and generation.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">llama.cpp refused the file or could not create a context.</exception>
    public static LlamaReferenceModel Load(string ggufPath, int threads = 2, int contextSize = 512, bool vocabOnly = false,
        TensorCapture? capture = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(contextSize, 2);
        if (!File.Exists(ggufPath))
            throw new FileNotFoundException($"GGUF file for the llama.cpp reference not found: {ggufPath}", ggufPath);
        LlamaLibrary.EnsureInitialized();

        LlamaModelParams modelParams = LlamaNative.ModelDefaultParams();
        modelParams.VocabOnly = vocabOnly ? (byte)1 : (byte)0;
        nint model;
        fixed (byte* p = Encoding.UTF8.GetBytes(ggufPath + "\0"))
            model = LlamaNative.ModelLoadFromFile(p, modelParams);
        if (model == 0)
            throw new InvalidDataException($"llama.cpp could not load '{ggufPath}' (set WALLFACER_LLAMA_LOG=1 to see why).");
        if (vocabOnly)
            return new LlamaReferenceModel(ggufPath, model, 0, contextSize);

        LlamaContextParams contextParams = LlamaNative.ContextDefaultParams();
        contextParams.ContextSize = (uint)contextSize;
        contextParams.BatchSize = (uint)contextSize;      // a whole context fits in one llama_decode
        contextParams.MicroBatchSize = (uint)contextSize;
        contextParams.Threads = threads;
        contextParams.BatchThreads = threads;
        if (capture is not null)
        {
            contextParams.EvalCallback = TensorCapture.Callback;
            contextParams.EvalCallbackUserData = capture.UserData;
        }
        nint context = LlamaNative.InitFromModel(model, contextParams);
        if (context == 0)
        {
            LlamaNative.ModelFree(model);
            throw new InvalidDataException($"llama.cpp could not create a {contextSize}-token context for '{ggufPath}'.");
        }
        return new LlamaReferenceModel(ggufPath, model, context, contextSize);
    }

    /// <summary>True for tokens that end generation (EOS, EOT, …) per <c>llama_vocab_is_eog</c>.</summary>
    public bool IsEndOfGeneration(int token)
    {
        lock (gate)
        {
            ThrowIfDisposed();
            return LlamaNative.VocabIsEog(vocab, token) != 0;
        }
    }

    /// <summary>Frees the context and the model.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (context != 0)
                LlamaNative.Free(context);
            if (model != 0)
                LlamaNative.ModelFree(model);
            context = 0;
            model = 0;
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(model == 0, this);

    private nint RequireContext()
    {
        ThrowIfDisposed();
        return context != 0
            ? context
            : throw new InvalidOperationException($"'{path}' was loaded vocab-only; it has no weights to evaluate.");
    }

    private void CheckTokens(ReadOnlySpan<int> tokens, string parameterName)
    {
        for (int i = 0; i < tokens.Length; i++)
        {
            if ((uint)tokens[i] >= (uint)VocabSize)
                throw new ArgumentOutOfRangeException(parameterName,
                    $"token {tokens[i]} at index {i} is outside the vocabulary of {VocabSize} tokens.");
        }
    }
}
