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

    [Fact]
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
    public void Mask_time_on_the_qwen2_vocabulary()
    {
        const string path = "/work/shared/models/vocab/ggml-vocab-qwen2.gguf";
        if (!File.Exists(path)) { output.WriteLine("qwen2 vocabulary not found; skipped"); return; }
        using var file = GgufFile.Open(path);
        var tokenizer = TokenizerFactory.FromGguf(file.Metadata);
        var build = Stopwatch.StartNew();
        var c = new GrammarConstraint(GbnfGrammar.Parse(GbnfGrammarTests.Example("json.gbnf")), tokenizer, tokenizer.Vocabulary.Count);
        c.ComputeMask();
        build.Stop();
        int[] tokens = tokenizer.Encode("{\"name\": \"Wallfacer\", \"sizes\": [1, 2.5, -3e4], \"ok\": true, \"nested\": {\"k\": null}}", addSpecial: false);
        var perToken = new List<double>();
        foreach (int t in tokens)
        {
            var sw = Stopwatch.StartNew();
            var mask = c.ComputeMask();
            perToken.Add(sw.Elapsed.TotalMilliseconds);
            Assert.True(mask[t], $"token {t} '{tokenizer.Vocabulary.GetText(t)}' should be allowed");
            c.Accept(t);
        }
        Assert.True(c.IsComplete);
        output.WriteLine($"qwen2 ({tokenizer.Vocabulary.Count} tokens): trie + first mask {build.Elapsed.TotalMilliseconds:F0} ms; " +
            $"mask per token mean {perToken.Average():F2} ms, max {perToken.Max():F2} ms over {tokens.Length} tokens");
    }
}
