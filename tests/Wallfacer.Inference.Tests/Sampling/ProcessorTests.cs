using Wallfacer.Inference.Sampling;
using static Wallfacer.Inference.Tests.Sampling.SamplingTestData;

namespace Wallfacer.Inference.Tests.Sampling;

public class ProcessorTests
{
    [Fact]
    public void TopK_keeps_the_k_best_and_renormalizes()
    {
        float[] logits = [1f, 4f, 2f, 3f];
        double[] actual = RunProcessor(new TopKProcessor(2), logits);

        // Survivors: token 1 (logit 4) and token 3 (logit 3).
        double z = Math.Exp(4) + Math.Exp(3);
        AssertClose([0, Math.Exp(4) / z, 0, Math.Exp(3) / z], actual);
    }

    [Fact]
    public void TopK_breaks_ties_by_lower_token_id()
    {
        float[] logits = [2f, 5f, 2f, 2f, 1f];
        var buffer = new CandidateBuffer(logits.Length);
        buffer.Load(logits);
        new TopKProcessor(3).Process(buffer, new TokenHistory(5, 0));

        Assert.Equal([1, 0, 2], buffer.Candidates.ToArray().Select(c => c.Token));
    }

    [Fact]
    public void TopK_larger_than_the_vocabulary_keeps_everything()
    {
        float[] logits = [0.5f, -1f, 2f];
        AssertClose(Softmax(logits), RunProcessor(new TopKProcessor(10), logits));
    }

    [Fact]
    public void TopP_keeps_the_smallest_prefix_reaching_p_including_the_crossing_token()
    {
        float[] logits = LogitsOf(0.1, 0.2, 0.3, 0.4);

        // 0.4 < 0.5 <= 0.4 + 0.3: tokens 3 and 2 survive.
        AssertClose([0, 0, 0.3 / 0.7, 0.4 / 0.7], RunProcessor(new TopPProcessor(0.5f), logits), 1e-7);

        // 0.4 + 0.3 < 0.75 <= 0.4 + 0.3 + 0.2: tokens 3, 2 and 1 survive.
        AssertClose([0, 0.2 / 0.9, 0.3 / 0.9, 0.4 / 0.9], RunProcessor(new TopPProcessor(0.75f), logits), 1e-7);
    }

    [Fact]
    public void TopP_of_one_keeps_everything()
    {
        float[] logits = LogitsOf(0.1, 0.2, 0.3, 0.4);
        AssertClose([0.1, 0.2, 0.3, 0.4], RunProcessor(new TopPProcessor(1f), logits), 1e-7);
    }

    [Fact]
    public void TopP_on_a_large_flat_vocabulary_grows_its_window_and_breaks_ties_by_id()
    {
        // 2000 equal logits: each token has mass 1/2000, so p = 0.9 needs 1800 tokens — beyond the
        // first 256 and 1024 selected, which exercises the growing partial sort. Ties go to lower ids.
        float[] logits = new float[2000];
        var buffer = new CandidateBuffer(logits.Length);
        buffer.Load(logits);
        new TopPProcessor(0.9f).Process(buffer, new TokenHistory(logits.Length, 0));

        Assert.Equal(Enumerable.Range(0, 1800), buffer.Candidates.ToArray().Select(c => c.Token));
    }

    [Fact]
    public void TopP_matches_a_naive_full_sort_on_random_logits()
    {
        float[] logits = new float[5000];
        new LogitsSource(7).Fill(logits);
        var buffer = new CandidateBuffer(logits.Length);
        buffer.Load(logits);
        new TopPProcessor(0.8f).Process(buffer, new TokenHistory(logits.Length, 0));

        // Oracle: sort everything by (logit desc, id asc), take the prefix whose softmax mass reaches p.
        double[] probabilities = Softmax(logits);
        int[] order = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ThenBy(i => i).ToArray();
        double cumulative = 0;
        int kept = 0;
        while (cumulative < 0.8f) cumulative += probabilities[order[kept++]];

        Assert.Equal(order.Take(kept), buffer.Candidates.ToArray().Select(c => c.Token));
    }

    [Fact]
    public void MinP_drops_tokens_below_p_times_the_top_probability()
    {
        float[] logits = LogitsOf(0.05, 0.1, 0.25, 0.6);

        // Threshold 0.2 * 0.6 = 0.12: tokens 2 and 3 survive.
        AssertClose([0, 0, 0.25 / 0.85, 0.6 / 0.85], RunProcessor(new MinPProcessor(0.2f), logits), 1e-7);
    }

    [Fact]
    public void MinP_keeps_the_order_of_the_survivors()
    {
        float[] logits = [3f, 0f, 2.9f, -5f, 2.95f];
        var buffer = new CandidateBuffer(logits.Length);
        buffer.Load(logits);
        new MinPProcessor(0.5f).Process(buffer, new TokenHistory(5, 0)); // keeps logits >= 3 + ln 0.5 = 2.307

        Assert.Equal([0, 2, 4], buffer.Candidates.ToArray().Select(c => c.Token));
    }

    [Fact]
    public void Temperature_divides_the_logits()
    {
        float[] logits = [1f, 2f, 3f];
        double z = Math.Exp(2) + Math.Exp(4) + Math.Exp(6); // logits / 0.5
        AssertClose([Math.Exp(2) / z, Math.Exp(4) / z, Math.Exp(6) / z], RunProcessor(new TemperatureProcessor(0.5f), logits));

        double y = Math.Exp(0.5) + Math.Exp(1) + Math.Exp(1.5); // logits / 2
        AssertClose([Math.Exp(0.5) / y, Math.Exp(1) / y, Math.Exp(1.5) / y], RunProcessor(new TemperatureProcessor(2f), logits));
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Temperature_rejects_non_positive_or_non_finite_values(float temperature) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TemperatureProcessor(temperature));

    [Fact]
    public void The_default_chain_gives_the_hand_computed_distribution()
    {
        // top-k 3 keeps tokens {4, 3, 2} (renormalized: 0.444, 0.333, 0.222);
        // top-p 0.7: 0.444 < 0.7 <= 0.444 + 0.333 → {4, 3};
        // min-p 0.8 needs p >= 0.8 · p_top: 0.3 / 0.4 = 0.75 < 0.8 → {4}; temperature cannot change one token.
        var options = new SamplerOptions { TopK = 3, TopP = 0.7f, MinP = 0.8f, Temperature = 0.5f, Seed = 1 };
        var sampler = new Sampler(options, 5);
        double[] actual = Probabilities(sampler.Process(LogitsOf(0.05, 0.05, 0.2, 0.3, 0.4)));
        AssertClose([0, 0, 0, 0, 1], actual);

        // With min-p 0.5 token 2 stays (0.3 >= 0.2); temperature 0.5 squares the ratio: 0.3² : 0.4².
        sampler = new Sampler(options with { MinP = 0.5f }, 5);
        actual = Probabilities(sampler.Process(LogitsOf(0.05, 0.05, 0.2, 0.3, 0.4)));
        AssertClose([0, 0, 0, 0.09 / 0.25, 0.16 / 0.25], actual, 1e-7);
    }
}
