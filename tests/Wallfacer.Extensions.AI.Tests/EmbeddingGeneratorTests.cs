using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Wallfacer.Inference.Embeddings;

namespace Wallfacer.Extensions.AI.Tests;

public class EmbeddingGeneratorTests(ChatModelFixture fixture) : IClassFixture<ChatModelFixture>
{
    [Fact]
    public async Task Embeddings_are_unit_length_mean_pooled_hidden_states()
    {
        using var generator = new WallfacerEmbeddingGenerator(fixture.Model, contextLength: 128);
        Assert.Equal(EmbeddingPooling.Mean, generator.Pooling);
        var result = await generator.GenerateAsync(["the sea is blue", "stones are grey", "the sea is blue"]);

        Assert.Equal(3, result.Count);
        Assert.Equal(fixture.Model.Config.EmbeddingLength, generator.Metadata.DefaultModelDimensions);
        foreach (var e in result)
        {
            Assert.Equal(fixture.Model.Config.EmbeddingLength, e.Vector.Length);
            Assert.Equal(1f, TensorPrimitives.Norm(e.Vector.Span), 4);
        }
        Assert.Equal(result[0].Vector.ToArray(), result[2].Vector.ToArray());
        Assert.NotEqual(result[0].Vector.ToArray(), result[1].Vector.ToArray());

        // Independently: mean of the per-token hidden states, normalized.
        using var session = fixture.Model.CreateSession(new() { ContextLength = 128 });
        var tokens = fixture.Model.Tokenizer.Encode("the sea is blue", addSpecial: true, parseSpecial: false);
        var sum = new float[fixture.Model.Config.EmbeddingLength];
        session.EvaluateHidden(tokens, (_, h) => TensorPrimitives.Add(sum, h, sum));
        TensorPrimitives.Divide(sum, TensorPrimitives.Norm(sum), sum);
        for (int i = 0; i < sum.Length; i++)
            Assert.Equal(sum[i], result[0].Vector.Span[i], 5);
        int other = fixture.Model.Tokenizer.Encode("stones are grey", addSpecial: true, parseSpecial: false).Length;
        Assert.Equal(2 * tokens.Length + other, result.Usage!.InputTokenCount);
    }

    [Fact]
    public async Task Last_token_pooling_takes_the_final_state()
    {
        using var mean = new WallfacerEmbeddingGenerator(fixture.Model, 128, EmbeddingPooling.Mean);
        using var last = new WallfacerEmbeddingGenerator(fixture.Model, 128, EmbeddingPooling.Last);
        var a = await mean.GenerateAsync(["the sea is blue"]);
        var b = await last.GenerateAsync(["the sea is blue"]);
        Assert.NotEqual(a[0].Vector.ToArray(), b[0].Vector.ToArray());
        Assert.Equal(1f, TensorPrimitives.Norm(b[0].Vector.Span), 4);
    }
}
