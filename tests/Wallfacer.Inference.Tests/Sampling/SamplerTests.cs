using Wallfacer.TestSupport;
using Wallfacer.Inference.Sampling;
using static Wallfacer.Inference.Tests.Sampling.SamplingTestData;

namespace Wallfacer.Inference.Tests.Sampling;

public class SamplerTests
{
    private static int[] Generate(SamplerOptions options, int vocabSize, int steps, ulong logitsSeed = 99)
    {
        var sampler = new Sampler(options, vocabSize);
        return Generate(sampler, steps, logitsSeed);
    }

    private static int[] Generate(Sampler sampler, int steps, ulong logitsSeed = 99)
    {
        var source = new LogitsSource(logitsSeed);
        float[] logits = new float[sampler.VocabularySize];
        int[] tokens = new int[steps];
        for (int i = 0; i < steps; i++)
        {
            source.Fill(logits);
            tokens[i] = sampler.Sample(logits);
            sampler.Accept(tokens[i]);
        }

        return tokens;
    }

    [Fact]
    public void Greedy_picks_the_argmax_with_the_lowest_id_on_ties()
    {
        var sampler = new Sampler(SamplerOptions.Greedy, 6);
        Assert.Equal(2, sampler.Sample([0f, 1f, 7f, -3f, 6.5f, 2f]));
        Assert.Equal(1, sampler.Sample([0f, 7f, 7f, -3f, 7f, 2f]));
        Assert.Equal(3, sampler.Sample([float.NegativeInfinity, -9f, -9f, -1f, -1f, float.NegativeInfinity]));
    }

    [Fact]
    public void Negative_temperature_is_greedy_like_llama_cpp()
    {
        var sampler = new Sampler(new SamplerOptions { Temperature = -1f }, 4);
        for (int i = 0; i < 20; i++) Assert.Equal(3, sampler.Sample([1f, 2f, 2.5f, 2.6f]));
    }

    [Fact]
    public void The_same_seed_gives_the_same_sequence()
    {
        var options = new SamplerOptions { Seed = 42, Temperature = 1.5f, TopK = 0, TopP = 0.98f, MinP = 0f };
        int[] first = Generate(options, 1000, 200);
        int[] second = Generate(options, 1000, 200);
        Assert.Equal(first, second);
        Assert.True(first.Distinct().Count() > 20, "a hot sampler over random logits should vary its tokens");
    }

    [Fact]
    public void Different_seeds_give_different_sequences()
    {
        var options = new SamplerOptions { Seed = 42, Temperature = 1.5f, TopK = 0, TopP = 0.98f, MinP = 0f };
        int[] first = Generate(options, 1000, 200);
        int[] other = Generate(options with { Seed = 43 }, 1000, 200);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Default_options_are_reproducible_with_penalties_and_a_prompt()
    {
        var options = new SamplerOptions { Seed = 7, RepetitionPenalty = 1.1f, FrequencyPenalty = 0.1f, PresencePenalty = 0.2f };
        var a = new Sampler(options, 500);
        var b = new Sampler(options, 500);
        a.Accept([1, 2, 3, 2]);
        b.Accept([1, 2, 3, 2]);
        Assert.Equal(Generate(a, 200), Generate(b, 200));
    }

    [Fact]
    public void Reset_replays_the_run()
    {
        var sampler = new Sampler(new SamplerOptions { Seed = 5, PresencePenalty = 0.5f }, 300);
        int[] first = Generate(sampler, 100);
        sampler.Reset();
        Assert.Equal(first, Generate(sampler, 100));
    }

    [Fact]
    public void A_random_seed_is_recorded_and_replays()
    {
        var options = new SamplerOptions { Temperature = 1f, TopK = 0, MinP = 0f };
        var sampler = new Sampler(options, 400);
        int[] first = Generate(sampler, 100);
        int[] replay = Generate(options with { Seed = sampler.Seed }, 400, 100);
        Assert.Equal(first, replay);
    }

    [Fact]
    public void Temperature_one_sampling_follows_the_distribution()
    {
        double[] expected = [0.1, 0.2, 0.3, 0.4];
        float[] logits = LogitsOf(expected);
        var sampler = new Sampler(new SamplerOptions { Seed = 2024, Temperature = 1f, TopK = 0, TopP = 1f, MinP = 0f }, 4);

        const int draws = 20_000;
        int[] counts = new int[4];
        for (int i = 0; i < draws; i++) counts[sampler.Sample(logits)]++;

        // Pearson chi-square with 3 degrees of freedom; 16.27 is the 99.9% quantile.
        double chiSquare = 0;
        for (int i = 0; i < 4; i++)
        {
            double e = expected[i] * draws;
            chiSquare += (counts[i] - e) * (counts[i] - e) / e;
        }

        Assert.True(chiSquare < 16.27, $"chi-square {chiSquare:F2}, counts {string.Join(", ", counts)}");
    }

    [Fact]
    public void Sampling_never_picks_a_filtered_token()
    {
        var sampler = new Sampler(new SamplerOptions { Seed = 3, Temperature = 5f, TopK = 2, TopP = 1f, MinP = 0f }, 5);
        float[] logits = [0f, 1f, 0.5f, 0.9f, -1f];
        var seen = new HashSet<int>();
        for (int i = 0; i < 500; i++) seen.Add(sampler.Sample(logits));
        Assert.Equal([1, 3], seen.Order());
    }

    [Fact]
    public void Sample_does_not_modify_the_callers_logits()
    {
        var sampler = new Sampler(new SamplerOptions { Seed = 1, RepetitionPenalty = 1.3f, Temperature = 0.7f }, 1000);
        sampler.Accept([5, 6, 7]);
        float[] logits = new float[1000];
        new LogitsSource(3).Fill(logits);
        float[] copy = (float[])logits.Clone();
        sampler.Sample(logits);
        Assert.Equal(copy, logits);
    }

    [Fact]
    public void Bad_logits_are_rejected_with_clear_errors()
    {
        var sampler = new Sampler(new SamplerOptions { Seed = 1 }, 3);
        var wrongLength = Assert.Throws<ArgumentException>(() => sampler.Sample([1f, 2f]));
        Assert.Contains("3", wrongLength.Message);
        var nan = Assert.Throws<ArgumentException>(() => sampler.Sample([1f, float.NaN, 2f]));
        Assert.Contains("token 1", nan.Message);
        Assert.Throws<InvalidOperationException>(() =>
            sampler.Sample([float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity]));
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Accept(3));
    }

    [Theory]
    [InlineData(0, 0.95f)] // top-k off: top-p grows its partial sort over the whole vocabulary
    [InlineData(40, 0.95f)]
    [InlineData(0, 1f)]
    public void Sample_allocates_nothing_in_steady_state(int topK, float topP)
    {
        var options = new SamplerOptions { Seed = 11, TopK = topK, TopP = topP, RepetitionPenalty = 1.1f, PresencePenalty = 0.1f };
        var sampler = new Sampler(options, 4096);
        float[] logits = new float[4096];
        new LogitsSource(5).Fill(logits);
        // Peaked like a real model's logits (range ±20): top-p 0.95 then needs a few hundred tokens,
        // more than its first window of 256, so the growing partial sort runs too.
        for (int i = 0; i < logits.Length; i++) logits[i] *= 5;
        if (topK == 0 && topP < 1) Assert.InRange(sampler.Process(logits).Count, 257, 2000);
        for (int i = 0; i < 10; i++) sampler.Accept(sampler.Sample(logits)); // warm-up (JIT tiers)

        long allocated = QuietAllocationWindow.OnThisThread(() =>
        {
            for (int i = 0; i < 1000; i++) sampler.Accept(sampler.Sample(logits));
        });

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Greedy_sampling_allocates_nothing()
    {
        var sampler = new Sampler(SamplerOptions.Greedy with { RepetitionPenalty = 1.2f }, 10_000);
        float[] logits = new float[10_000];
        new LogitsSource(8).Fill(logits);
        for (int i = 0; i < 10; i++) sampler.Accept(sampler.Sample(logits));

        Assert.Equal(0, QuietAllocationWindow.OnThisThread(() =>
        {
            for (int i = 0; i < 1000; i++) sampler.Accept(sampler.Sample(logits));
        }));
    }

    [Fact]
    public void Sampling_with_statistics_allocates_nothing_in_steady_state()
    {
        foreach (SamplerOptions options in new[] { new SamplerOptions { Seed = 3, Temperature = 1f, TopK = 0, TopP = 1f, MinP = 0f }, new SamplerOptions { Seed = 3 }, SamplerOptions.Greedy })
        {
            var sampler = new Sampler(options, 20_000);
            float[] logits = new float[20_000];
            new LogitsSource(8).Fill(logits);
            for (int i = 0; i < 10; i++) sampler.Sample(logits, out _);
            long allocated = QuietAllocationWindow.OnThisThread(() =>
            {
                for (int i = 0; i < 200; i++) sampler.Sample(logits, out _);
            });
            Assert.True(allocated == 0, $"{allocated} bytes allocated with {options}");
        }
    }

    [Fact]
    public void Constraints_run_before_the_other_stages()
    {
        var sampler = new Sampler(SamplerOptions.Greedy, 4, [new MaskTokenProcessor(2)]);
        Assert.Equal(1, sampler.Sample([0f, 1f, 9f, 0.5f]));
    }

    private sealed class MaskTokenProcessor(int token) : ILogitsProcessor
    {
        public void Process(CandidateBuffer candidates, TokenHistory history)
        {
            foreach (ref TokenCandidate c in candidates.EditLogits(orderPreserved: false))
            {
                if (c.Token == token) c.Logit = float.NegativeInfinity;
            }
        }
    }
}
