using Wallfacer.Numerics.Threading;
using Wallfacer.Gguf;
using Wallfacer.Models;
using Wallfacer.Tokenizers;

namespace Wallfacer.Inference.Engine;

/// <summary>
/// A GGUF language model ready to run: the decoder and its tokenizer. Load once and share: it is
/// immutable, and every conversation runs in its own <see cref="InferenceSession"/>.
/// </summary>
/// <example>
/// <code>
/// using var model = LanguageModel.Load("model.gguf");
/// using var session = model.CreateSession();
/// foreach (var step in TextGenerator.Generate(session, "Once upon a time", new GenerationOptions { MaxTokens = 64 }))
///     Console.Write(step.Text);
/// </code>
/// </example>
public sealed class LanguageModel : IDisposable
{
    private LanguageModel(DecoderModel decoder, ITokenizer tokenizer)
    {
        Decoder = decoder;
        Tokenizer = tokenizer;
    }

    /// <summary>The transformer: config, weights and the mapped file.</summary>
    public DecoderModel Decoder { get; }

    /// <summary>The tokenizer built from the file's <c>tokenizer.ggml.*</c> metadata.</summary>
    public ITokenizer Tokenizer { get; }

    /// <summary>The decoder's shape.</summary>
    public DecoderConfig Config => Decoder.Config;

    /// <summary>The file's metadata.</summary>
    public GgufMetadata Metadata => Decoder.File.Metadata;

    /// <summary>
    /// Maps the GGUF file at <paramref name="path"/>; only metadata is read now, weights page in on use.
    /// <paramref name="regroupWeights"/> regroups Q4_0 matrices at load, sixteen rows side by side (the same bytes,
    /// reordered, in memory of the file's size): with AVX-512 a decode step of several sequences and a prompt then run
    /// about twice as fast (Qwen2.5-0.5B, 4 sequences at 2 threads: 205 → 301 tok/s), but the load reads those weights
    /// once (about 0.6 s for 281 MB) and one sequence's generation, bound by memory, gains nothing — servers with several
    /// slots want it, a single chat does not. Without AVX-512 (AVX2) the regrouped kernel is the faster one for a single
    /// sequence too, and there Q5_0 matrices are also sliced at load (<c>Q5_0Sliced</c>: the fifth bits of four blocks in
    /// one vector; the Q5_0 row kernel reads ~12 GB/s instead of ~8) and a Q8_0 output matrix is grouped four rows at a
    /// time (<c>Q8_0Grouped</c>: one sequential stream for the generation kernel). Unset, the machine decides
    /// (<c>Q4_0Interleaved.PreferredForOneSequence</c>).
    /// </summary>
    public static LanguageModel Load(string path, bool? regroupWeights = null)
    {
        if (!System.IO.File.Exists(path))
            throw new FileNotFoundException($"Model file not found: {path}", path);
        var decoder = DecoderModel.Load(path, regroupWeights);
        try
        {
            var tokenizer = TokenizerFactory.FromGguf(decoder.File.Metadata);
            if (tokenizer.Vocabulary.Count > decoder.Config.VocabSize)
                throw new InvalidDataException(
                    $"{path}: the tokenizer has {tokenizer.Vocabulary.Count} tokens but the embedding only {decoder.Config.VocabSize} rows.");
            return new LanguageModel(decoder, tokenizer);
        }
        catch
        {
            decoder.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Pages the weights in now (one read per page, on <paramref name="threads"/> threads) instead of on first
    /// use: for a fast first token on a cold file cache, or resident weights before serving.
    /// </summary>
    public void PreTouch(int threads = 0, IProgress<double>? progress = null, CancellationToken cancellationToken = default) =>
        Decoder.File.TouchData(threads > 0 ? threads : Environment.ProcessorCount, progress, cancellationToken);

    /// <summary>Starts a new conversation state (KV cache and buffers) over this model.</summary>
    public InferenceSession CreateSession(SessionOptions? options = null) => new(this, options ?? new SessionOptions());

    /// <summary>A session that runs on <paramref name="sharedPool"/>'s threads (see <see cref="InferenceSession"/>'s constructor).</summary>
    internal InferenceSession CreateSession(SessionOptions options, WorkerPool sharedPool) => new(this, options, sharedPool);

    public void Dispose() => Decoder.Dispose();
}
