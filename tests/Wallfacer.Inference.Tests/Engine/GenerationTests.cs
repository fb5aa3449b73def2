using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Sampling;

namespace Wallfacer.Inference.Tests.Engine;

public class GenerationTests(SyntheticModelFixture fixture) : IClassFixture<SyntheticModelFixture>
{
    private const string Prompt = "once upon a time the";

    private GenerationResult Generate(int threads, GenerationOptions options, int context = 256)
    {
        using var model = LanguageModel.Load(fixture.Path);
        using var session = model.CreateSession(new SessionOptions { Threads = threads, ContextLength = context, BatchSize = 8 });
        return TextGenerator.Complete(session, Prompt, options);
    }

    [Fact]
    public void Same_seed_gives_the_same_tokens_at_one_and_two_threads()
    {
        var options = new GenerationOptions { MaxTokens = 40, Sampling = new SamplerOptions { Seed = 1234, Temperature = 1.0f, TopK = 0, TopP = 1, MinP = 0 } };
        var one = Generate(1, options);
        var two = Generate(2, options);
        Assert.Equal(40, one.Steps.Count);
        Assert.Equal(one.GeneratedTokens, two.GeneratedTokens);
        Assert.Equal(one.Text, two.Text);
        var other = Generate(2, options with { Sampling = options.Sampling with { Seed = 999 } });
        Assert.NotEqual(one.GeneratedTokens, other.GeneratedTokens);
    }

    [Fact]
    public void Greedy_picks_the_argmax_of_the_logits_at_every_step()
    {
        using var model = LanguageModel.Load(fixture.Path);
        using var session = model.CreateSession(new SessionOptions { ContextLength = 128 });
        var result = TextGenerator.Complete(session, Prompt, new GenerationOptions { MaxTokens = 12, Sampling = SamplerOptions.Greedy });

        using var check = model.CreateSession(new SessionOptions { ContextLength = 128 });
        var logits = check.Evaluate(result.PromptTokens.ToArray()).ToArray();
        foreach (int token in result.GeneratedTokens)
        {
            Assert.Equal(ArgMax(logits), token);
            if (model.Tokenizer.Vocabulary.IsEndOfGeneration(token))
                break;
            logits = check.Evaluate([token]).ToArray();
        }
    }

    [Fact]
    public void Streamed_text_equals_the_decoded_tokens()
    {
        var result = Generate(1, new GenerationOptions { MaxTokens = 30, Sampling = new SamplerOptions { Seed = 7 } });
        using var model = LanguageModel.Load(fixture.Path);
        Assert.Equal(model.Tokenizer.Decode(result.GeneratedTokens.ToArray()), result.Text);
        Assert.Equal(result.Text, string.Concat(result.Steps.Select(s => s.Text)));
    }

    [Fact]
    public void A_stop_string_ends_generation_and_is_not_returned()
    {
        var free = Generate(1, new GenerationOptions { MaxTokens = 30, Sampling = SamplerOptions.Greedy });
        Assert.True(free.Text.Length >= 6, "need some text to pick a stop string from: " + free.Text);
        string stop = free.Text.Substring(3, 2);
        var stopped = Generate(1, new GenerationOptions { MaxTokens = 30, Sampling = SamplerOptions.Greedy, StopStrings = [stop] });
        Assert.Equal(FinishReason.StopString, stopped.FinishReason);
        Assert.Equal(free.Text[..free.Text.IndexOf(stop, StringComparison.Ordinal)], stopped.Text);
    }

    [Fact]
    public void Max_tokens_and_a_full_context_end_generation()
    {
        Assert.Equal(FinishReason.MaxTokens, Generate(1, new GenerationOptions { MaxTokens = 5, Sampling = SamplerOptions.Greedy }).FinishReason);
        var full = Generate(1, new GenerationOptions { MaxTokens = 100, Sampling = SamplerOptions.Greedy }, context: 16);
        Assert.Equal(FinishReason.ContextFull, full.FinishReason);
        Assert.True(full.PromptTokens.Count + full.Steps.Count <= 17);
    }

    [Fact]
    public void Top_logprobs_are_sorted_and_include_the_chosen_token_under_greedy()
    {
        var result = Generate(1, new GenerationOptions { MaxTokens = 5, Sampling = SamplerOptions.Greedy, TopLogprobs = 3 });
        foreach (var step in result.Steps)
        {
            Assert.NotNull(step.TopLogprobs);
            Assert.Equal(3, step.TopLogprobs!.Count);
            Assert.Equal(step.Token, step.TopLogprobs[0].Token);
            Assert.Equal(step.Logprob, step.TopLogprobs[0].Logprob, 5);
            Assert.True(step.TopLogprobs[0].Logprob >= step.TopLogprobs[1].Logprob);
            Assert.True(step.Logprob <= 0);
        }
    }

    [Fact]
    public void Rewinding_and_re_evaluating_reproduces_the_logits()
    {
        using var model = LanguageModel.Load(fixture.Path);
        using var session = model.CreateSession(new SessionOptions { ContextLength = 64, BatchSize = 4 });
        var tokens = model.Tokenizer.Encode(Prompt);
        var first = session.Evaluate(tokens).ToArray();
        session.Rewind(2);
        var again = session.Evaluate(tokens.AsSpan(2)).ToArray();
        Assert.Equal(first, again);
        Assert.Throws<ContextFullException>(() => session.Evaluate(new int[64]));
    }

    [Fact]
    public void Perplexity_is_finite_and_follows_the_chunk_convention()
    {
        using var model = LanguageModel.Load(fixture.Path);
        using var session = model.CreateSession(new SessionOptions { ContextLength = 32, BatchSize = 32 });
        var tokens = Enumerable.Range(0, 100).Select(i => 3 + i * 7 % 500).ToList();
        var result = PerplexityEvaluator.Compute(session, tokens, 32);
        Assert.Equal(3, result.Chunks);
        Assert.Equal(3 * 15, result.ScoredTokens); // positions 16..30 of each chunk
        Assert.True(double.IsFinite(result.Perplexity) && result.Perplexity > 1);
    }

    private static int ArgMax(float[] x)
    {
        int best = 0;
        for (int i = 1; i < x.Length; i++)
            if (x[i] > x[best])
                best = i;
        return best;
    }
}
