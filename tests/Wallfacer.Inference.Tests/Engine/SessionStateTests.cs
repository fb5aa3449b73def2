using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Sampling;

namespace Wallfacer.Inference.Tests.Engine;

public class SessionStateTests(SyntheticModelFixture fixture) : IClassFixture<SyntheticModelFixture>
{
    private static readonly GenerationOptions Greedy = new() { MaxTokens = 8, Sampling = SamplerOptions.Greedy, ReuseCachedPrefix = true };

    [Fact]
    public void A_saved_session_restored_in_another_model_instance_continues_identically()
    {
        string file = Path.Combine(Path.GetTempPath(), "wallfacer-tests", Guid.NewGuid().ToString("N") + ".kv");
        try
        {
            int[] prompt, continued;
            using (var model = LanguageModel.Load(fixture.Path))
            using (var session = model.CreateSession(new SessionOptions { ContextLength = 128 }))
            {
                prompt = model.Tokenizer.Encode("once upon a time the sea was");
                TextGenerator.Start(session, prompt, Greedy with { MaxTokens = 0 }).Steps().ToList();
                using (var stream = File.Create(file))
                    session.SaveState(stream);
                continued = TextGenerator.Start(session, [.. prompt, 300], Greedy).Steps().Select(s => s.Token).ToArray();
            }

            using var model2 = LanguageModel.Load(fixture.Path);
            using var restored = model2.CreateSession(new SessionOptions { ContextLength = 128 });
            using (var stream = File.OpenRead(file))
                restored.LoadState(stream, file);
            Assert.Equal(prompt, restored.Tokens);
            var run = TextGenerator.Start(restored, [.. prompt, 300], Greedy);
            Assert.Equal(continued, run.Steps().Select(s => s.Token).ToArray());
            Assert.Equal(prompt.Length, run.CachedPromptTokens); // nothing of the saved prompt ran again
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_damaged_or_foreign_state_is_refused_with_the_offset_and_leaves_the_session_empty()
    {
        using var model = LanguageModel.Load(fixture.Path);
        using var session = model.CreateSession(new SessionOptions { ContextLength = 64 });
        session.Evaluate(model.Tokenizer.Encode("once upon a time"));
        var bytes = new MemoryStream();
        session.SaveState(bytes);
        var saved = bytes.ToArray();

        using var target = model.CreateSession(new SessionOptions { ContextLength = 64 });
        var truncated = Assert.Throws<InvalidDataException>(() => target.LoadState(new MemoryStream(saved[..^10]), "s.kv"));
        Assert.Contains("s.kv", truncated.Message);
        Assert.Contains("truncated", truncated.Message);
        Assert.Empty(target.Tokens);

        var wrongMagic = (byte[])saved.Clone();
        wrongMagic[0] = (byte)'X';
        Assert.Contains("wrong magic", Assert.Throws<InvalidDataException>(() => target.LoadState(new MemoryStream(wrongMagic))).Message);

        using var small = model.CreateSession(new SessionOptions { ContextLength = 2 });
        Assert.Contains("does not fit", Assert.Throws<InvalidDataException>(() => small.LoadState(new MemoryStream(saved))).Message);
    }
}
