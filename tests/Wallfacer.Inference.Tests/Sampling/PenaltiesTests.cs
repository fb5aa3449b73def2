using Wallfacer.Inference.Sampling;

namespace Wallfacer.Inference.Tests.Sampling;

public class PenaltiesTests
{
    private static float[] Penalize(float[] logits, int windowSize, int[] accepted, bool reorderFirst,
        float repeat = 2f, float frequency = 0.5f, float presence = 0.25f)
    {
        var history = new TokenHistory(logits.Length, windowSize);
        foreach (int token in accepted) history.Accept(token);
        var buffer = new CandidateBuffer(logits.Length);
        buffer.Load(logits);
        if (reorderFirst) buffer.SortTop(logits.Length); // forces the per-candidate path instead of the by-token path
        new PenaltiesProcessor(repeat, frequency, presence).Process(buffer, history);

        float[] byToken = new float[logits.Length];
        foreach (TokenCandidate c in buffer.Candidates) byToken[c.Token] = c.Logit;
        return byToken;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Applies_llama_cpp_formulas(bool reorderFirst)
    {
        // History 0, 0, 1, 4 → counts {0: 2, 1: 1, 4: 1}; repeat 2, frequency 0.5, presence 0.25.
        //  token 0:  2 > 0  →  2 / 2 = 1;    1 − (2·0.5 + 0.25) = −0.25
        //  token 1: −1 ≤ 0  → −1 · 2 = −2;  −2 − (1·0.5 + 0.25) = −2.75
        //  token 4:  0 ≤ 0  →  0 · 2 = 0;    0 − 0.75           = −0.75
        //  tokens 2, 3 are not in the window: unchanged.
        float[] actual = Penalize([2f, -1f, 0.5f, 3f, 0f], 64, [0, 0, 1, 4], reorderFirst);
        Assert.Equal([-0.25f, -2.75f, 0.5f, 3f, -0.75f], actual);
    }

    [Fact]
    public void Only_the_last_n_tokens_count()
    {
        // Window 3 over 0, 0, 1, 4 holds 0, 1, 4: every count is 1.
        //  token 0: 2 / 2 − (0.5 + 0.25) = 0.25
        float[] actual = Penalize([2f, -1f, 0.5f, 3f, 0f], 3, [0, 0, 1, 4], reorderFirst: false);
        Assert.Equal([0.25f, -2.75f, 0.5f, 3f, -0.75f], actual);
    }

    [Fact]
    public void Repetition_penalty_alone_divides_positive_and_multiplies_negative_logits()
    {
        float[] actual = Penalize([3f, -3f, 1f], 8, [0, 1], reorderFirst: false, repeat: 1.5f, frequency: 0f, presence: 0f);
        Assert.Equal([2f, -4.5f, 1f], actual);
    }

    [Fact]
    public void Penalized_token_loses_the_argmax()
    {
        var options = SamplerOptions.Greedy with { RepetitionPenalty = 2f };
        var sampler = new Sampler(options, 3);
        float[] logits = [1f, 3f, 2f];
        Assert.Equal(1, sampler.Sample(logits));
        sampler.Accept(1); // 3 / 2 = 1.5 < 2
        Assert.Equal(2, sampler.Sample(logits));
    }

    [Fact]
    public void History_counts_track_a_sliding_window()
    {
        var history = new TokenHistory(10, 3);
        foreach (int token in new[] { 5, 5, 7, 5, 9 }) history.Accept(token);

        // The window holds 7, 5, 9.
        Assert.Equal(3, history.Count);
        Assert.Equal(1, history.CountOf(5));
        Assert.Equal(1, history.CountOf(7));
        Assert.Equal(1, history.CountOf(9));
        Assert.Equal([5, 7, 9], history.DistinctTokens.ToArray().Order());

        history.Clear();
        Assert.Equal(0, history.Count);
        Assert.Equal(0, history.CountOf(5));
        Assert.True(history.DistinctTokens.IsEmpty);
    }

    [Fact]
    public void History_with_a_zero_window_remembers_nothing_but_still_checks_ids()
    {
        var history = new TokenHistory(10, 0);
        history.Accept(3);
        Assert.Equal(0, history.CountOf(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => history.Accept(10));
        Assert.Throws<ArgumentOutOfRangeException>(() => history.Accept(-1));
    }
}
