using Wallfacer.Inference.Sampling;
using static Wallfacer.Inference.Tests.Sampling.SamplingTestData;

namespace Wallfacer.Inference.Tests.Sampling;

/// <summary>
/// The chunked vector passes (<see cref="SoftmaxSums"/>) and the paths built on them — the sampler reading raw logits
/// in place, the shared statistics, <see cref="Logprobs.Statistics"/> — against the scalar code they replaced, bit for
/// bit: same tokens for the same seed, same log-probabilities and entropies.
/// </summary>
public class SoftmaxPassTests
{
    /// <summary>Odd vocabulary sizes around the chunk (512) and vector widths, and a Qwen2.5-sized one.</summary>
    public static TheoryData<int> Sizes => new() { 1, 2, 7, 15, 17, 511, 512, 513, 1029, 5003, 151_936 };

    private static float[] RandomLogits(int size, ulong seed, bool masked)
    {
        float[] logits = new float[size];
        new LogitsSource(seed).Fill(logits);
        for (int i = 0; i < size; i++) logits[i] *= 4; // spread ±16, a model's range
        if (masked)
        {
            for (int i = 3; i < size; i += 7) logits[i] = float.NegativeInfinity;
        }
        return logits;
    }

    private static void AssertSameBits(double expected, double actual, string what) =>
        Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual), $"{what}: expected {expected:R}, got {actual:R}");

    /// <summary>The scalar draw over raw logits (DistributionSelector before vectorisation), with its own copy of the random stream.</summary>
    private static int ReferenceDraw(float[] logits, Xoshiro256StarStar random)
    {
        double u = random.NextDouble();
        float max = float.NegativeInfinity;
        foreach (float l in logits) if (l > max) max = l;
        TokenCandidate[] items = [.. logits.Select((l, i) => new TokenCandidate(i, l))];
        return DistributionSelector.SelectReference(items, max, u);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Statistics_match_the_scalar_reference(int size)
    {
        foreach (bool masked in new[] { false, true })
        {
            float[] logits = RandomLogits(size, (ulong)size, masked && size > 3);
            LogitStatistics vector = Logprobs.Statistics(logits), scalar = Logprobs.StatisticsReference(logits);
            AssertSameBits(scalar.MaxLogit, vector.MaxLogit, "max");
            AssertSameBits(scalar.LogNormalizer, vector.LogNormalizer, "log normalizer");
            AssertSameBits(scalar.Entropy, vector.Entropy, "entropy");
            for (int t = 0; t < size; t += Math.Max(1, size / 50))
            {
                Assert.Equal(scalar.LogSoftmaxAt(logits, t), vector.LogSoftmaxAt(logits, t));
                Assert.Equal(scalar.LogSoftmaxAt(logits, t), Logprobs.LogSoftmaxAndEntropy(logits, t, out double h));
                AssertSameBits(scalar.Entropy, h, "entropy via LogSoftmaxAndEntropy");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Temperature_one_draws_match_the_scalar_reference_and_share_the_statistics(int size)
    {
        var options = new SamplerOptions { Seed = 42, Temperature = 1f, TopK = 0, TopP = 1f, MinP = 0f };
        var sampler = new Sampler(options, size);
        var random = new Xoshiro256StarStar(42);
        int steps = size > 10_000 ? 12 : 60;
        for (int step = 0; step < steps; step++)
        {
            float[] logits = RandomLogits(size, (ulong)(1000 + step), masked: step % 3 == 1 && size > 3);
            if (step % 5 == 4) logits.AsSpan().Fill(0.5f); // every weight equal: running sums land on chunk ends exactly
            int expected = ReferenceDraw(logits, random);
            int token = step % 2 == 0 ? sampler.Sample(logits) : sampler.Sample(logits, out LogitStatistics statistics);
            Assert.Equal(expected, token);
            if (step % 2 == 1)
            {
                sampler.Sample(logits, out LogitStatistics shared);
                ReferenceDraw(logits, random); // keep the streams in step
                LogitStatistics scalar = Logprobs.StatisticsReference(logits);
                AssertSameBits(scalar.LogNormalizer, shared.LogNormalizer, "shared log normalizer");
                AssertSameBits(scalar.Entropy, shared.Entropy, "shared entropy");
                Assert.Equal(scalar.LogSoftmaxAt(logits, token), shared.LogSoftmaxAt(logits, token));
            }
        }
    }

    [Theory]
    [InlineData(5003)]
    [InlineData(151_936)]
    public void Buffered_draws_match_the_scalar_reference(int size)
    {
        // Temperature 0.7 edits the logits, so the sampler copies them and draws over its candidate buffer.
        var sampler = new Sampler(new SamplerOptions { Seed = 9, Temperature = 0.7f, TopK = 0, TopP = 1f, MinP = 0f }, size);
        var random = new Xoshiro256StarStar(9);
        for (int step = 0; step < 10; step++)
        {
            float[] logits = RandomLogits(size, (ulong)(77 + step), masked: step % 2 == 1);
            float[] scaled = [.. logits.Select(l => l / 0.7f)];
            Assert.Equal(ReferenceDraw(scaled, random), sampler.Sample(logits, out LogitStatistics statistics));
            LogitStatistics scalar = Logprobs.StatisticsReference(logits);
            AssertSameBits(scalar.Entropy, statistics.Entropy, "entropy");
            AssertSameBits(scalar.LogNormalizer, statistics.LogNormalizer, "log normalizer");
        }
    }

    [Fact]
    public void The_draw_crosses_a_chunk_end_exactly_as_the_scalar_scan()
    {
        float[] logits = new float[2048];
        logits.AsSpan().Fill(1f); // weights are exactly 1: running sums are 1, 2, …; chunk totals 512, 1024, …
        Span<double> totals = stackalloc double[SoftmaxSums.ChunkCount(logits.Length)];
        double total = SoftmaxSums.SumExp(logits, 1.0, totals);
        Assert.Equal(2048.0, total);
        Assert.Equal([512.0, 1024.0, 1536.0, 2048.0], totals.ToArray());
        Assert.Equal(512, SoftmaxSums.FindCumulative(logits, 1.0, 512.0, totals)); // the sum must exceed, not reach
        Assert.Equal(511, SoftmaxSums.FindCumulative(logits, 1.0, 511.5, totals));
        Assert.Equal(0, SoftmaxSums.FindCumulative(logits, 1.0, 0.0, totals));
        // A threshold the sum never exceeds: the last token with a positive weight, found by a full scan.
        logits[2047] = float.NegativeInfinity;
        total = SoftmaxSums.SumExp(logits, 1.0, totals);
        Assert.Equal(2046, SoftmaxSums.FindCumulative(logits, 1.0, total, totals));
        Assert.Equal(2046, SoftmaxSums.FindCumulative(logits, 1.0, total));
    }

    [Fact]
    public void The_maximum_keeps_the_sign_of_the_first_zero_like_the_scalar_scan()
    {
        foreach (int size in new[] { 3, 40, 1000 })
        {
            foreach (int firstZero in new[] { 0, 1, size / 2, size - 2 })
            {
                float[] logits = new float[size];
                logits.AsSpan().Fill(-5f);
                logits[firstZero] = -0f;
                logits[size - 1] = 0f;
                Assert.True(SoftmaxSums.TryMax(logits, out float max));
                Assert.True(float.IsNegative(max), $"size {size}, first zero at {firstZero}");
                logits[firstZero] = 0f;
                logits[size - 1] = -0f;
                Assert.True(SoftmaxSums.TryMax(logits, out max));
                Assert.False(float.IsNegative(max));
            }
        }
    }

    [Theory]
    [InlineData(17, 16)]
    [InlineData(1000, 3)]
    [InlineData(1000, 999)]
    public void Bad_logits_are_reported_at_the_first_bad_token(int size, int bad)
    {
        float[] logits = new float[size];
        logits[bad] = float.PositiveInfinity;
        if (bad + 1 < size) logits[bad + 1] = float.NaN;
        Assert.False(SoftmaxSums.TryMax(logits, out _));
        Assert.Equal(bad, SoftmaxSums.IndexOfInvalid(logits));
        var sampler = new Sampler(new SamplerOptions { Seed = 1, Temperature = 1f, TopK = 0, TopP = 1f, MinP = 0f }, size);
        Assert.Contains($"token {bad} ", Assert.Throws<ArgumentException>(() => sampler.Sample(logits)).Message);
        Assert.Contains($"token {bad} ", Assert.Throws<ArgumentException>(() => Logprobs.Statistics(logits)).Message);
    }

    [Fact]
    public void Greedy_reads_raw_logits_with_the_lowest_id_on_ties()
    {
        var sampler = new Sampler(SamplerOptions.Greedy, 1000);
        float[] logits = RandomLogits(1000, 3, masked: true);
        logits[700] = 30f;
        logits[333] = 30f;
        Assert.Equal(333, sampler.Sample(logits, out LogitStatistics statistics));
        LogitStatistics scalar = Logprobs.StatisticsReference(logits);
        AssertSameBits(scalar.Entropy, statistics.Entropy, "entropy");
        logits.AsSpan().Fill(float.NegativeInfinity);
        Assert.Throws<InvalidOperationException>(() => sampler.Sample(logits));
    }
}
