using System.Diagnostics;
using System.Text.Json;
using Wallfacer.Gguf;
using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Grammar;
using Wallfacer.Inference.Sampling;
using Wallfacer.Inference.Tests.Engine;
using Wallfacer.Tokenizers;
using Xunit.Abstractions;

namespace Wallfacer.Inference.Tests.Grammar;

public class GrammarDecodingTests(SyntheticModelFixture fixture, ITestOutputHelper output) : IClassFixture<SyntheticModelFixture>
{
    /// <summary>JSON objects of bounded depth and size: at most 91 characters, so 96 tokens always suffice.</summary>
    private const string SmallJson = """
        root   ::= "{" ( member ( "," member ){0,2} )? "}"
        member ::= key ":" value
        key    ::= "\"" [a-z]{1,4} "\""
        value  ::= key | num | "true" | "false" | "null" | arr | obj
        num    ::= "-"? ( "0" | [1-9] [0-9]{0,2} )
        arr    ::= "[" ( scalar ( "," scalar ){0,2} )? "]"
        scalar ::= key | num | "true" | "null"
        obj    ::= "{" ( key ":" scalar )? "}"
        """;

    // Byte-level BPE: "Ã" is byte 0xC3 and "©" byte 0xA9, so "Ã" + "©" spell "é" (C3 A9) across two tokens.
    private static ITokenizer SplitCharacterTokenizer() => TokenizerFactory.Create(new TokenizerSource
    {
        Model = "gpt2",
        Tokens = ["a", "b", "x", "Ã", "©", "<|endoftext|>", "<|pad|>"],
        TokenTypes = [1, 1, 1, 1, 1, 3, 3],
        Merges = [],
        EosId = 5,
    });

    private static string[] Allowed(GrammarConstraint constraint, ITokenizer tokenizer)
    {
        bool[] mask = constraint.ComputeMask().ToArray();
        return [.. Enumerable.Range(0, mask.Length).Where(t => mask[t]).Select(t => tokenizer.Vocabulary.GetText(t))];
    }

    [Fact]
    public void A_character_split_across_two_tokens_is_allowed_and_carried()
    {
        var tokenizer = SplitCharacterTokenizer();
        var c = new GrammarConstraint(GbnfGrammar.Parse("root ::= \"a\" \"é\" \"b\""), tokenizer, 7);
        Assert.Equal(["a"], Allowed(c, tokenizer));
        c.Accept(0);
        Assert.Equal(["Ã"], Allowed(c, tokenizer)); // C3 can still become é; A9 alone is not UTF-8
        c.Accept(3);
        Assert.False(c.IsComplete);
        Assert.Equal(["©"], Allowed(c, tokenizer));
        c.Accept(4);
        Assert.Equal(["b"], Allowed(c, tokenizer));
        c.Accept(1);
        Assert.True(c.IsComplete);
        Assert.Equal(["<|endoftext|>"], Allowed(c, tokenizer)); // EOG only when complete; <|pad|> never
    }

    [Fact]
    public void A_partial_character_is_refused_when_no_completion_fits()
    {
        var tokenizer = SplitCharacterTokenizer();
        var c = new GrammarConstraint(GbnfGrammar.Parse("root ::= \"a\" [a-z]*"), tokenizer, 7);
        c.Accept(0);
        Assert.Equal(["a", "b", "x", "<|endoftext|>"], Allowed(c, tokenizer));
        Assert.Throws<GrammarException>(() => c.Accept(3));
    }

    [Fact]
    public void No_allowed_token_throws_instead_of_generating_freely()
    {
        var tokenizer = SplitCharacterTokenizer();
        var c = new GrammarConstraint(GbnfGrammar.Parse("root ::= \"q\""), tokenizer, 7);
        var buffer = new CandidateBuffer(7);
        buffer.Load(new float[7]);
        Assert.Throws<GrammarException>(() => c.Process(buffer, new TokenHistory(7, 0)));
    }

    [Fact]
    public void Random_weight_model_writes_only_valid_json_under_a_grammar()
    {
        var grammar = GbnfGrammar.Parse(SmallJson);
        using var model = LanguageModel.Load(fixture.Path);
        using var session = model.CreateSession(new SessionOptions { Threads = 1, ContextLength = 192, BatchSize = 16 });
        var free = TextGenerator.Complete(session, "data:", new GenerationOptions { MaxTokens = 20, Sampling = new SamplerOptions { Seed = 1, Temperature = 1.2f } });
        output.WriteLine($"free: {free.Text}");
        int finished = 0;
        for (int seed = 0; seed < 60; seed++)
        {
            session.Reset();
            var options = new GenerationOptions
            {
                MaxTokens = 96,
                Grammar = grammar,
                Sampling = new SamplerOptions { Seed = (ulong)seed, Temperature = 1.0f + seed % 3 * 0.5f, TopK = 0, TopP = 1, MinP = 0 },
            };
            var result = TextGenerator.Complete(session, "data:", options);
            Assert.Equal(FinishReason.EndOfGeneration, result.FinishReason);
            using var doc = JsonDocument.Parse(result.Text);
            Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
            if (seed < 5) output.WriteLine($"seed {seed}: {result.Text}");
            finished++;
        }
        Assert.True(finished >= 50);
    }

    [Wallfacer.TestSupport.ExampleGrammarsFact]
    public void Random_weight_model_output_under_json_gbnf_parses_when_finished()
    {
        var grammar = GbnfGrammar.Parse(GbnfGrammarTests.Example("json.gbnf"));
        using var model = LanguageModel.Load(fixture.Path);
        using var session = model.CreateSession(new SessionOptions { Threads = 1, ContextLength = 192, BatchSize = 16 });
        int finished = 0;
        for (int seed = 0; seed < 10; seed++)
        {
            session.Reset();
            var result = TextGenerator.Complete(session, "data:", new GenerationOptions
            {
                MaxTokens = 64, Grammar = grammar, Sampling = new SamplerOptions { Seed = (ulong)seed, Temperature = 1.0f },
            });
            var m = grammar.CreateMatcher();
            Assert.True(m.Accept(result.Text)); // every output, finished or not, is a prefix the grammar allows
            if (result.FinishReason != FinishReason.EndOfGeneration) continue;
            finished++;
            using var doc = JsonDocument.Parse(result.Text);
        }
        output.WriteLine($"{finished} of 10 finished within 64 tokens");
    }

    [Fact]
    public async Task The_batch_scheduler_honours_the_grammar_in_every_slot()
    {
        using var schema = JsonDocument.Parse("""{"type": "object", "properties": {"n": {"type": "integer", "minimum": 0, "maximum": 99}, "ok": {"type": "boolean"}}, "required": ["n", "ok"]}""");
        var grammar = JsonSchemaGrammar.Compile(schema.RootElement);
        using var model = LanguageModel.Load(fixture.Path);
        using var scheduler = new Wallfacer.Inference.Scheduling.BatchScheduler(model, new Wallfacer.Inference.Scheduling.BatchSchedulerOptions
        {
            Slots = 3, Session = new SessionOptions { ContextLength = 256, Threads = 1 },
        });
        var requests = Enumerable.Range(0, 6).Select(i => scheduler.Submit(model.Tokenizer.Encode("json:"), new GenerationOptions
        {
            MaxTokens = 200, Grammar = i % 2 == 0 ? grammar : null, Sampling = new SamplerOptions { Seed = (ulong)i, Temperature = 1.5f },
        })).ToArray();
        foreach (var r in requests)
        {
            await foreach (var _ in r.Steps()) { }
            await r.Completion;
        }
        for (int i = 0; i < requests.Length; i += 2)
        {
            Assert.Equal(FinishReason.EndOfGeneration, requests[i].FinishReason);
            using var doc = JsonDocument.Parse(requests[i].Text);
            Assert.Empty(JsonSchemaValidator.Validate(schema.RootElement, doc.RootElement));
        }
        output.WriteLine($"constrained: {requests[0].Text.Trim()} | unconstrained: {requests[1].Text}");
    }

    [Wallfacer.TestSupport.SharedFact]
    public void Mask_time_on_the_qwen2_vocabulary()
    {
        string path = Wallfacer.TestSupport.TestPaths.SharedVocab("ggml-vocab-qwen2.gguf");
        using var file = GgufFile.Open(path);
        var tokenizer = TokenizerFactory.FromGguf(file.Metadata);
        var build = Stopwatch.StartNew();
        TokenTrie.For(tokenizer);
        output.WriteLine($"qwen2 ({tokenizer.Vocabulary.Count} tokens): trie of {TokenTrie.For(tokenizer).NodeCount} nodes built in {build.Elapsed.TotalMilliseconds:F0} ms");

        const string json = "{\"name\": \"Wallfacer\", \"sizes\": [1, 2.5, -3e4], \"ok\": true, \"nested\": {\"k\": null}}";
        using var schema = JsonDocument.Parse("""
            {"type": "object", "properties": {"name": {"type": "string"}, "sizes": {"type": "array", "items": {"type": "number"}},
             "ok": {"type": "boolean"}, "nested": {"type": "object", "properties": {"k": {"type": "null"}}}}, "required": ["name"]}
            """);
        foreach (var (label, grammar) in new[] { ("json.gbnf", GbnfGrammar.Parse(GbnfGrammarTests.Example("json.gbnf"))), ("JSON schema", JsonSchemaGrammar.Compile(schema.RootElement)) })
        {
            // Run 1 also pays for JIT compilation; run 2 is a fresh request (new states, nothing cached) in a warm process.
            for (int run = 1; run <= 2; run++)
            {
                var times = MaskTimes(grammar, tokenizer, json);
                output.WriteLine($"{label} run {run}: mask per token mean {times.Average():F2} ms, median {times.Order().ElementAt(times.Count / 2):F2} ms, " +
                    $"max {times.Max():F2} ms over {times.Count} steps; total {times.Sum():F0} ms");
            }
        }
    }

    private static List<double> MaskTimes(GbnfGrammar grammar, ITokenizer tokenizer, string text)
    {
        var c = new GrammarConstraint(grammar, tokenizer, tokenizer.Vocabulary.Count);
        var times = new List<double>();
        foreach (int t in tokenizer.Encode(text, addSpecial: false))
        {
            var sw = Stopwatch.StartNew();
            var mask = c.ComputeMask();
            times.Add(sw.Elapsed.TotalMilliseconds);
            Assert.True(mask[t], $"token {t} '{tokenizer.Vocabulary.GetText(t)}' should be allowed");
            c.Accept(t);
        }
        var end = Stopwatch.StartNew();
        Assert.True(c.ComputeMask()[tokenizer.Vocabulary.EndOfGenerationTokens.First()]);
        times.Add(end.Elapsed.TotalMilliseconds);
        return times;
    }
}
