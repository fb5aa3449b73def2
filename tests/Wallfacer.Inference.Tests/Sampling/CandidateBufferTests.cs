using Wallfacer.Inference.Sampling;

namespace Wallfacer.Inference.Tests.Sampling;

public class CandidateBufferTests
{
    private static int[] RankOrder(float[] logits) =>
        Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ThenBy(i => i).ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(40)]
    [InlineData(999)]
    [InlineData(1000)]
    public void SortTop_puts_the_best_k_first_in_rank_order(int k)
    {
        float[] logits = new float[1000];
        new SamplingTestData.LogitsSource(21).Fill(logits);
        for (int i = 0; i < logits.Length; i += 13) logits[i] = 1.25f; // ties resolved by id
        var buffer = new CandidateBuffer(logits.Length);
        buffer.Load(logits);
        buffer.SortTop(k);

        Assert.Equal(RankOrder(logits).Take(k), buffer.Candidates[..k].ToArray().Select(c => c.Token));
        Assert.Equal(k, buffer.SortedCount);
        Assert.Equal(logits.Length, buffer.Count);
        Assert.Equal(Enumerable.Range(0, 1000), buffer.Candidates.ToArray().Select(c => c.Token).Order());
    }

    [Fact]
    public void SortTop_extends_an_already_sorted_prefix()
    {
        float[] logits = new float[3000];
        new SamplingTestData.LogitsSource(2).Fill(logits);
        var buffer = new CandidateBuffer(logits.Length);
        buffer.Load(logits);
        buffer.SortTop(10);
        buffer.SortTop(500);
        Assert.Equal(RankOrder(logits).Take(500), buffer.Candidates[..500].ToArray().Select(c => c.Token));
    }

    [Fact]
    public void SortTop_survives_adversarial_equal_and_sorted_inputs()
    {
        foreach (float[] logits in new[]
                 {
                     new float[5000],                                          // all equal
                     Enumerable.Range(0, 5000).Select(i => (float)i).ToArray(), // ascending
                     Enumerable.Range(0, 5000).Select(i => (float)-i).ToArray(), // descending
                     Enumerable.Range(0, 5000).Select(i => (float)(i % 2)).ToArray(),
                 })
        {
            var buffer = new CandidateBuffer(logits.Length);
            buffer.Load(logits);
            buffer.SortTop(100);
            Assert.Equal(RankOrder(logits).Take(100), buffer.Candidates[..100].ToArray().Select(c => c.Token));
        }
    }

    [Fact]
    public void Load_tracks_vocabulary_order_until_something_moves()
    {
        var buffer = new CandidateBuffer(4);
        buffer.Load([1f, 2f, 3f, 4f]);
        Assert.True(buffer.IsVocabularyOrder);
        buffer.RemoveBelow(0);
        Assert.True(buffer.IsVocabularyOrder);
        buffer.RemoveBelow(2.5);
        Assert.False(buffer.IsVocabularyOrder);
        Assert.Equal([2, 3], buffer.Candidates.ToArray().Select(c => c.Token));
    }

    [Fact]
    public void Load_rejects_bad_logits_naming_the_token()
    {
        var buffer = new CandidateBuffer(3);
        Assert.Contains("token 2", Assert.Throws<ArgumentException>(() => buffer.Load([0f, 1f, float.PositiveInfinity])).Message);
        Assert.Throws<ArgumentException>(() => buffer.Load([0f, 1f]));
    }

    [Fact]
    public void Probabilities_of_the_loaded_buffer_are_the_softmax()
    {
        float[] logits = [0f, 1f, -2f, 0.5f];
        var buffer = new CandidateBuffer(4);
        buffer.Load(logits);
        SamplingTestData.AssertClose(SamplingTestData.Softmax(logits), SamplingTestData.Probabilities(buffer), 1e-12);
    }

    [Theory]
    [InlineData(1000, 1)]
    [InlineData(1000, 40)]
    [InlineData(1001, 62)]
    [InlineData(151_936, 40)]
    public void LoadTop_leaves_what_Load_SortTop_and_Truncate_leave(int size, int k)
    {
        var random = new Random(size + k);
        float[] logits = new float[size];
        // Few distinct values, so the cut falls inside a run of ties; some masked tokens.
        for (int i = 0; i < size; i++) logits[i] = random.Next(8) == 0 ? float.NegativeInfinity : random.Next(-20, 21) * 0.5f;
        logits[size / 2] = -0f;
        var expected = new CandidateBuffer(size);
        expected.Load(logits);
        expected.SortTop(k);
        expected.Truncate(k);
        var actual = new CandidateBuffer(size);
        actual.LoadTop(logits, k);
        Assert.Equal(expected.Candidates.ToArray(), actual.Candidates.ToArray());
        Assert.Equal(expected.SortedCount, actual.SortedCount);
        Assert.Equal(expected.IsVocabularyOrder, actual.IsVocabularyOrder);
    }

    [Fact]
    public void LoadTop_keeps_masked_tokens_when_too_few_are_finite()
    {
        float[] logits = Enumerable.Repeat(float.NegativeInfinity, 64).ToArray();
        logits[40] = 1f;
        var buffer = new CandidateBuffer(64);
        buffer.LoadTop(logits, 3);
        Assert.Equal([40, 0, 1], buffer.Candidates.ToArray().Select(c => c.Token));
    }
}
