using Wallfacer.Inference.Engine;

namespace Wallfacer.Inference.Embeddings;

/// <summary>
/// Text → one vector: the final-normed hidden states of the model's last layer, pooled (the file's
/// <c>{arch}.pooling_type</c> when present, else mean) and, by default, scaled to unit length (llama.cpp's
/// <c>llama-embedding</c> default, so cosine similarity is a dot product). Each call starts from an empty session.
/// </summary>
public static class TextEmbedder
{
    /// <summary>The pooling a model asks for, or mean when its file does not say.</summary>
    public static EmbeddingPooling PoolingOf(LanguageModel model)
    {
        int type = model.Metadata.GetInt32($"{model.Config.Architecture}.pooling_type", 0);
        return Enum.IsDefined((EmbeddingPooling)type) ? (EmbeddingPooling)type : EmbeddingPooling.Mean;
    }

    /// <summary>Embeds <paramref name="text"/>; the session is reset first and left holding the text's tokens.</summary>
    public static float[] Embed(InferenceSession session, string text, EmbeddingPooling pooling, bool normalize = true,
        CancellationToken cancellationToken = default)
    {
        var tokens = session.Model.Tokenizer.Encode(text, addSpecial: true, parseSpecial: false);
        if (tokens.Length == 0)
            throw new ArgumentException("Nothing to embed: the text produced no tokens.", nameof(text));
        if (tokens.Length > session.ContextLength)
            throw new ContextFullException(0, tokens.Length, session.ContextLength);

        var vector = new float[session.Model.Config.EmbeddingLength];
        session.Reset();
        session.EvaluateHidden(tokens, (position, hidden) => Pool(pooling, position, tokens.Length, hidden, vector), cancellationToken);
        if (pooling == EmbeddingPooling.Mean)
            System.Numerics.Tensors.TensorPrimitives.Multiply(vector, 1f / tokens.Length, vector);
        if (normalize)
            Normalize(vector);
        return vector;
    }

    private static void Pool(EmbeddingPooling pooling, int position, int count, ReadOnlySpan<float> hidden, float[] into)
    {
        switch (pooling)
        {
            case EmbeddingPooling.Mean:
                System.Numerics.Tensors.TensorPrimitives.Add(into, hidden, into);
                break;
            case EmbeddingPooling.First when position == 0:
            case EmbeddingPooling.Last when position == count - 1:
                hidden.CopyTo(into);
                break;
        }
    }

    private static void Normalize(float[] vector)
    {
        float norm = System.Numerics.Tensors.TensorPrimitives.Norm(vector);
        if (norm > 0)
            System.Numerics.Tensors.TensorPrimitives.Divide(vector, norm, vector);
    }
}
