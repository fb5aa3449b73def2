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

    /// <summary>Maps the GGUF file at <paramref name="path"/>; only metadata is read now, weights page in on use.</summary>
    public static LanguageModel Load(string path)
    {
        if (!System.IO.File.Exists(path))
            throw new FileNotFoundException($"Model file not found: {path}", path);
        var decoder = DecoderModel.Load(path);
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
