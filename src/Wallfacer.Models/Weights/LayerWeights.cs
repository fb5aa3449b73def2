using Wallfacer.Numerics.Kernels;

namespace Wallfacer.Models.Weights;

/// <summary>The tensors of one transformer block. Matrices are views into the mapped file; small vectors are copied as floats.</summary>
public sealed class LayerWeights
{
    public required float[] AttentionNorm { get; init; }   // (embedding)
    public required WeightMatrix Query { get; init; }      // (heads·keyDim, embedding)
    public required WeightMatrix Key { get; init; }        // (kvHeads·keyDim, embedding)
    public required WeightMatrix Value { get; init; }      // (kvHeads·valueDim, embedding)
    public required WeightMatrix AttentionOutput { get; init; } // (embedding, heads·valueDim)
    public float[]? QueryBias { get; init; }               // (heads·keyDim)
    public float[]? KeyBias { get; init; }                 // (kvHeads·keyDim)
    public float[]? ValueBias { get; init; }               // (kvHeads·valueDim)
    public float[]? QueryNorm { get; init; }               // (keyDim)
    public float[]? KeyNorm { get; init; }                 // (keyDim)
    public required float[] FeedForwardNorm { get; init; } // (embedding)
    public required WeightMatrix Gate { get; init; }       // (ffn, embedding)
    public required WeightMatrix Up { get; init; }         // (ffn, embedding)
    public required WeightMatrix Down { get; init; }       // (embedding, ffn)
}
