using Wallfacer.TestSupport;
using Wallfacer.Inference.Sampling;

namespace Wallfacer.Inference.Tests.Sampling;

public class LogprobsTests
{
    [Fact]
    public void LogSoftmaxAt_matches_the_definition()
    {
        float[] logits = [1f, 2f, 3f];
        double logZ = Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3));
        for (int i = 0; i < 3; i++) Assert.Equal(logits[i] - logZ, Logprobs.LogSoftmaxAt(logits, i), 6);
    }

    [Fact]
    public void LogSoftmaxAt_is_stable_for_huge_and_masked_logits()
    {
        float[] logits = [1000f, 1000f, float.NegativeInfinity, 990f];
        double logZ = 1000 + Math.Log(2 + Math.Exp(-10)); // factor out e^1000 by hand
        Assert.Equal(1000 - logZ, Logprobs.LogSoftmaxAt(logits, 0), 5);
        Assert.Equal(990 - logZ, Logprobs.LogSoftmaxAt(logits, 3), 5);
        Assert.Equal(float.NegativeInfinity, Logprobs.LogSoftmaxAt(logits, 2));
    }

    [Fact]
    public void TopK_orders_by_probability_then_token_id_with_correct_values()
    {
        float[] logits = [0.5f, 2f, 2f, -1f, 3f, 1f];
        var top = new TokenLogprob[4];
        Logprobs.TopK(logits, top);

        double logZ = Math.Log(logits.Sum(l => Math.Exp(l)));
        Assert.Equal([4, 1, 2, 5], top.Select(t => t.Token));
        foreach (TokenLogprob entry in top) Assert.Equal(logits[entry.Token] - logZ, entry.Logprob, 6);
    }

    [Fact]
    public void TopK_of_a_large_vocabulary_matches_a_full_sort()
    {
        float[] logits = new float[20_000];
        new SamplingTestData.LogitsSource(17).Fill(logits);
        for (int i = 0; i < logits.Length; i += 97) logits[i] = 3.5f; // plenty of ties
        var top = new TokenLogprob[50];
        Logprobs.TopK(logits, top);

        int[] expected = Enumerable.Range(0, logits.Length)
            .OrderByDescending(i => logits[i]).ThenBy(i => i).Take(50).ToArray();
        Assert.Equal(expected, top.Select(t => t.Token));
    }

    [Fact]
    public void TopK_of_the_whole_vocabulary_sums_to_one()
    {
        float[] logits = [0.1f, -2f, 4f, 4f, 0f];
        var all = new TokenLogprob[5];
        Logprobs.TopK(logits, all);
        Assert.Equal(1.0, all.Sum(t => Math.Exp(t.Logprob)), 6);
        Assert.Equal([2, 3, 0, 4, 1], all.Select(t => t.Token));
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Logprobs.LogSoftmaxAt([1f, 2f], 2));
        Assert.Throws<ArgumentException>(() => Logprobs.LogSoftmaxAt([1f, float.NaN], 0));
        Assert.Throws<ArgumentException>(() => Logprobs.LogSoftmaxAt([float.NegativeInfinity], 0));
        Assert.Throws<ArgumentException>(() => Logprobs.TopK([1f, 2f], new TokenLogprob[3]));
    }

    [Fact]
    public void TopK_allocates_nothing()
    {
        float[] logits = new float[10_000];
        new SamplingTestData.LogitsSource(4).Fill(logits);
        var top = new TokenLogprob[20];
        Logprobs.TopK(logits, top);
        Assert.Equal(0, QuietAllocationWindow.OnThisThread(() =>
        {
            for (int i = 0; i < 100; i++) Logprobs.TopK(logits, top);
        }));
    }
}

public class EntropyTests
{
    [Fact]
    public void Entropy_is_log_V_for_a_uniform_distribution_and_zero_for_a_certain_one()
    {
        var uniform = new float[1000];
        Wallfacer.Inference.Sampling.Logprobs.LogSoftmaxAndEntropy(uniform, 3, out double h);
        Assert.Equal(Math.Log(1000), h, 9);

        var certain = Enumerable.Repeat(float.NegativeInfinity, 10).ToArray();
        certain[4] = 1f;
        float lp = Wallfacer.Inference.Sampling.Logprobs.LogSoftmaxAndEntropy(certain, 4, out double zero);
        Assert.Equal(0, zero, 12);
        Assert.Equal(0f, lp);
    }

    [Fact]
    public void The_logprob_matches_the_plain_log_softmax()
    {
        var logits = Enumerable.Range(0, 257).Select(i => MathF.Sin(i) * 5).ToArray();
        for (int t = 0; t < logits.Length; t += 31)
            Assert.Equal(Wallfacer.Inference.Sampling.Logprobs.LogSoftmaxAt(logits, t),
                Wallfacer.Inference.Sampling.Logprobs.LogSoftmaxAndEntropy(logits, t, out _));
    }
}
