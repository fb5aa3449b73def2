using Microsoft.Extensions.AI;
using Wallfacer.Inference.Embeddings;
using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Scheduling;

namespace Wallfacer.Extensions.AI;

/// <summary>
/// An <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over a local GGUF model: the final-normed hidden
/// states of the last layer, pooled as the file's <c>{arch}.pooling_type</c> says — else <b>mean pooling</b>
/// over all tokens, which works for any decoder — and scaled to unit length, as llama.cpp's
/// <c>llama-embedding</c> does by default. A dedicated embedding model (e.g. Qwen3-Embedding, which asks for
/// last-token pooling) gives far better vectors than a chat model. Thread-safe; inputs run one at a time
/// in their own session, never touching a chat client's caches.
/// </summary>
public sealed class WallfacerEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly LanguageModel _model;
    private readonly SessionPool _pool;
    private readonly EmbeddingPooling _pooling;

    /// <param name="model">The model, shared; not disposed by the generator.</param>
    /// <param name="contextLength">Longest input in tokens (0: the model's trained context, capped at 4096).</param>
    /// <param name="pooling">Overrides the pooling the file asks for.</param>
    public WallfacerEmbeddingGenerator(LanguageModel model, int contextLength = 0, EmbeddingPooling? pooling = null)
    {
        _model = model;
        _pooling = pooling ?? TextEmbedder.PoolingOf(model);
        _pool = new SessionPool(model, new SessionPoolOptions
        {
            Session = new SessionOptions { ContextLength = contextLength },
            MaxSessions = 1,
            MaxParallel = 1,
        });
        Metadata = new EmbeddingGeneratorMetadata("wallfacer", WallfacerModelFactory.UriOf(model),
            WallfacerModelFactory.ModelIdOf(model), model.Config.EmbeddingLength);
    }

    public EmbeddingGeneratorMetadata Metadata { get; }

    /// <summary>The pooling in use.</summary>
    public EmbeddingPooling Pooling => _pooling;

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var result = new GeneratedEmbeddings<Embedding<float>>();
        long tokens = 0;
        foreach (string value in values)
        {
            using var lease = await _pool.AcquireAsync([], cancellationToken: cancellationToken).ConfigureAwait(false);
            var vector = await Task.Run(() => TextEmbedder.Embed(lease.Session, value, _pooling, normalize: true, cancellationToken),
                cancellationToken).ConfigureAwait(false);
            tokens += lease.Session.Tokens.Count;
            if (options?.Dimensions is int dims && dims != vector.Length)
                throw new NotSupportedException($"This model's embeddings have {vector.Length} dimensions; {dims} were asked for.");
            result.Add(new Embedding<float>(vector) { ModelId = Metadata.DefaultModelId, CreatedAt = DateTimeOffset.UtcNow });
        }
        result.Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens };
        return result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
            return null;
        object?[] parts = [this, Metadata, _model, _model.Tokenizer];
        return parts.FirstOrDefault(serviceType.IsInstanceOfType);
    }

    public void Dispose() => _pool.Dispose();
}
