using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Sampling;

namespace Wallfacer.Inference.Tests.Engine;

public class PromptCacheTests(SyntheticModelFixture fixture) : IClassFixture<SyntheticModelFixture>
{
    private static readonly GenerationOptions Greedy = new() { MaxTokens = 6, Sampling = SamplerOptions.Greedy, ReuseCachedPrefix = true };

    [Fact]
    public void The_second_turn_evaluates_only_the_tokens_after_the_shared_prefix()
    {
        using var model = LanguageModel.Load(fixture.Path);
        using var session = model.CreateSession(new SessionOptions { ContextLength = 256, BatchSize = 8 });
        var turn1 = model.Tokenizer.Encode("once upon a time the sea");
        var first = TextGenerator.Start(session, turn1, Greedy);
        var generated = first.Steps().Where(s => s.Token >= 0).Select(s => s.Token).ToArray();
        Assert.Equal(0, first.CachedPromptTokens);

        // Turn 2 = turn 1 + what was generated + new text: only the new text is evaluated.
        var newTokens = model.Tokenizer.Encode("and then a fish", addSpecial: false);
        int[] turn2 = [.. turn1, .. generated, .. newTokens];
        var second = TextGenerator.Start(session, turn2, Greedy);
        var secondTokens = second.Steps().Where(s => s.Token >= 0).Select(s => s.Token).ToArray();
        // The last generated token was sampled but never evaluated, so it is evaluated now with the new text.
        Assert.Equal(turn2.Length - newTokens.Length - 1, second.CachedPromptTokens);

        // The cache changes nothing: a fresh session evaluating all of turn 2 picks the same tokens.
        using var fresh = model.CreateSession(new SessionOptions { ContextLength = 256, BatchSize = 8 });
        var reference = TextGenerator.Start(fresh, turn2, Greedy).Steps().Where(s => s.Token >= 0).Select(s => s.Token).ToArray();
        Assert.Equal(reference, secondTokens);
    }

    [Fact]
    public void A_diverging_prompt_rewinds_to_the_common_prefix()
    {
        using var model = LanguageModel.Load(fixture.Path);
        using var session = model.CreateSession(new SessionOptions { ContextLength = 256 });
        var a = model.Tokenizer.Encode("once upon a time the sea was blue");
        var b = model.Tokenizer.Encode("once upon a time the stones were grey");
        int common = 0;
        while (a[common] == b[common]) common++;

        TextGenerator.Start(session, a, Greedy).Steps().ToList();
        var run = TextGenerator.Start(session, b, Greedy);
        var tokens = run.Steps().Where(s => s.Token >= 0).Select(s => s.Token).ToArray();
        Assert.Equal(common, run.CachedPromptTokens);

        using var fresh = model.CreateSession(new SessionOptions { ContextLength = 256 });
        Assert.Equal(TextGenerator.Start(fresh, b, Greedy).Steps().Where(s => s.Token >= 0).Select(s => s.Token), tokens);
    }

    [Fact]
    public void An_identical_prompt_still_evaluates_its_last_token_for_fresh_logits()
    {
        using var model = LanguageModel.Load(fixture.Path);
        using var session = model.CreateSession(new SessionOptions { ContextLength = 256 });
        var prompt = model.Tokenizer.Encode("once upon a time");
        var first = TextGenerator.Start(session, prompt, Greedy with { MaxTokens = 0 });
        first.Steps().ToList();
        var again = TextGenerator.Start(session, prompt, Greedy);
        var tokens = again.Steps().Where(s => s.Token >= 0).Select(s => s.Token).ToArray();
        Assert.Equal(prompt.Length - 1, again.CachedPromptTokens);

        using var fresh = model.CreateSession(new SessionOptions { ContextLength = 256 });
        Assert.Equal(TextGenerator.Start(fresh, prompt, Greedy).Steps().Where(s => s.Token >= 0).Select(s => s.Token), tokens);
    }
}
