using Wallfacer.Inference.Sampling;

namespace Wallfacer.Inference.Tests.Sampling;

/// <summary>Ban and bias touch exactly their tokens, whether the buffer is still in vocabulary order or was reordered.</summary>
public class TokenSetProcessorTests
{
    private static CandidateBuffer Buffer(bool reordered)
    {
        var buffer = new CandidateBuffer(7);
        buffer.Load([0.5f, 3f, -1f, 2f, 0f, 1f, -2f]);
        if (reordered)
            buffer.SortTop(7); // rank order: candidate i is no longer token i
        Assert.Equal(!reordered, buffer.IsVocabularyOrder);
        return buffer;
    }

    private static Dictionary<int, float> ByToken(CandidateBuffer buffer) =>
        buffer.Candidates.ToArray().ToDictionary(c => c.Token, c => c.Logit);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Ban_sets_exactly_the_banned_tokens_to_minus_infinity(bool reordered)
    {
        var buffer = Buffer(reordered);
        new BanTokensProcessor([1, 6, 99]).Process(buffer, new TokenHistory(7, 0));
        var logits = ByToken(buffer);
        Assert.Equal([1, 6], logits.Where(p => float.IsNegativeInfinity(p.Value)).Select(p => p.Key).Order());
        Assert.Equal(2f, logits[3]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Bias_adds_to_exactly_the_biased_tokens(bool reordered)
    {
        var buffer = Buffer(reordered);
        new LogitBiasProcessor(new Dictionary<int, float> { [2] = 10f, [4] = float.NegativeInfinity, [50] = 1f }).Process(buffer, new TokenHistory(7, 0));
        var logits = ByToken(buffer);
        Assert.Equal(9f, logits[2]);
        Assert.True(float.IsNegativeInfinity(logits[4]));
        Assert.Equal([0.5f, 3f, 2f, 1f, -2f], new[] { 0, 1, 3, 5, 6 }.Select(t => logits[t]));
    }
}
