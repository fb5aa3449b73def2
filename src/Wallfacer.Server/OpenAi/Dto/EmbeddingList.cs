namespace Wallfacer.Server.OpenAi.Dto;

/// <summary><c>POST /v1/embeddings</c>: one vector per input, in input order.</summary>
internal sealed record EmbeddingList(string Object, IReadOnlyList<EmbeddingItem> Data, string Model, EmbeddingUsage Usage);

/// <summary>One input's vector.</summary>
internal sealed record EmbeddingItem(string Object, int Index, float[] Embedding);

/// <summary>Tokens read for the embeddings (no completion tokens).</summary>
internal sealed record EmbeddingUsage(int PromptTokens, int TotalTokens);
