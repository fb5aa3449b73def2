using System.Text.Json;
using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Grammar;
using Wallfacer.Inference.Sampling;
using Wallfacer.Inference.Tests.Engine;

namespace Wallfacer.Inference.Tests.Grammar;

/// <summary>A random-weight model writes garbage; under a grammar every output is valid.</summary>
public class ConstrainedGenerationTests(SyntheticModelFixture fixture) : IClassFixture<SyntheticModelFixture>
{
    private const string Person = """
        root   ::= "{" ws "\"name\":" ws string "," ws "\"age\":" ws number "," ws "\"tags\":" ws tags ws "}"
        string ::= "\"" [a-z ]{1,10} "\""
        number ::= [1-9] [0-9]{0,2}
        tags   ::= "[" ws (string ("," ws string){0,2})? ws "]"
        ws     ::= [ ]?
        """;

    [Fact]
    public void Fifty_sampled_outputs_are_all_valid_json_of_the_right_shape()
    {
        var grammar = GbnfGrammar.Parse(Person);
        using var model = LanguageModel.Load(fixture.Path);
        using var session = model.CreateSession(new SessionOptions { ContextLength = 256, Threads = 1 });
        for (ulong seed = 1; seed <= 50; seed++)
        {
            var options = new GenerationOptions
            {
                MaxTokens = 160, Grammar = grammar,
                Sampling = new SamplerOptions { Seed = seed, Temperature = 1.5f, TopK = 0, TopP = 1, MinP = 0 },
            };
            session.Reset();
            var result = TextGenerator.Complete(session, "data:", options);
            Assert.True(result.FinishReason == FinishReason.EndOfGeneration, $"seed {seed}: ended by {result.FinishReason}: {result.Text}");
            using var doc = JsonDocument.Parse(result.Text);
            var root = doc.RootElement;
            Assert.Equal(JsonValueKind.String, root.GetProperty("name").ValueKind);
            Assert.InRange(root.GetProperty("age").GetInt32(), 1, 999);
            Assert.InRange(root.GetProperty("tags").GetArrayLength(), 0, 3);
        }
    }

    [Fact]
    public void Without_the_grammar_the_same_model_does_not_write_json()
    {
        using var model = LanguageModel.Load(fixture.Path);
        using var session = model.CreateSession(new SessionOptions { ContextLength = 256, Threads = 1 });
        var text = TextGenerator.Complete(session, "data:", new GenerationOptions
        {
            MaxTokens = 40, Sampling = new SamplerOptions { Seed = 1, Temperature = 1.5f, TopK = 0, TopP = 1, MinP = 0 },
        }).Text;
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text));
    }

    [Fact]
    public void Characters_spelled_by_several_byte_tokens_carry_across_tokens()
    {
        // The synthetic vocabulary has no piece for é, ü or 😀: they can only be written as byte tokens,
        // each ending inside a UTF-8 character.
        using var model = LanguageModel.Load(fixture.Path);
        using var session = model.CreateSession(new SessionOptions { ContextLength = 64, Threads = 1 });
        var result = TextGenerator.Complete(session, "x", new GenerationOptions
        {
            MaxTokens = 20, Grammar = GbnfGrammar.Parse("root ::= \"é\" [üö] \"😀\""),
            Sampling = new SamplerOptions { Seed = 5, Temperature = 1.5f, TopK = 0, TopP = 1, MinP = 0 },
        });
        Assert.Matches("^é[üö]😀$", result.Text);
        Assert.Equal(FinishReason.EndOfGeneration, result.FinishReason);
        Assert.True(result.Steps.Count >= 8, "two + two + four byte tokens, then the end");
    }

    [Fact]
    public void End_of_generation_is_refused_until_the_output_is_complete()
    {
        using var model = LanguageModel.Load(fixture.Path);
        using var session = model.CreateSession(new SessionOptions { ContextLength = 64, Threads = 1 });
        var constraint = new GrammarConstraint(GbnfGrammar.Parse("root ::= \"\\u0000\" \"x\""), model.Tokenizer, model.Tokenizer.Vocabulary.Count);
        Assert.All(Enumerable.Range(0, model.Tokenizer.Vocabulary.Count), t =>
        {
            if (model.Tokenizer.Vocabulary.IsEndOfGeneration(t))
                Assert.False(constraint.AllowsOne(t)); // not complete: no end yet
        });
    }
}
