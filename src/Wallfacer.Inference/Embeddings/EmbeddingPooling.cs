namespace Wallfacer.Inference.Embeddings;

/// <summary>
/// How per-token hidden states become one vector. The numbers are llama.cpp's <c>llama_pooling_type</c>, which
/// GGUF files carry as <c>{arch}.pooling_type</c>.
/// </summary>
public enum EmbeddingPooling
{
    /// <summary>The average over all tokens: the default for decoder models with no pooling key.</summary>
    Mean = 1,
    /// <summary>The first token's state (BERT-style [CLS]).</summary>
    First = 2,
    /// <summary>The last token's state: what decoder embedding models (e.g. Qwen3-Embedding) are trained with.</summary>
    Last = 3,
}
