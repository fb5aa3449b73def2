using System.Diagnostics;
using Wallfacer.Gguf;
using Wallfacer.Inference.Grammar;
using Wallfacer.Inference.Sampling;
using Wallfacer.TestSupport;
using Wallfacer.Tokenizers;

namespace Wallfacer.Inference.Tests.Grammar;

/// <summary>What a grammar step costs on a real 151,936-token vocabulary (printed, not asserted: speed lives in benchmarks).</summary>
public class MaskCostTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [SharedFact]
    public void Mask_time_per_token_on_the_qwen2_vocabulary()
    {
        using var file = GgufFile.Open(TestPaths.SharedVocab("ggml-vocab-qwen2.gguf"));
        var tokenizer = TokenizerFactory.FromGguf(file.Metadata);
        string jsonGrammar = """
            root   ::= object
            value  ::= object | array | string | number | ("true" | "false" | "null") ws
            object ::= "{" ws ( string ":" ws value ("," ws string ":" ws value)* )? "}" ws
            array  ::= "[" ws ( value ("," ws value)* )? "]" ws
            string ::= "\"" ( [^"\\\x7F\x00-\x1F] | "\\" (["\\bfnrt] | "u" [0-9a-fA-F]{4}) )* "\"" ws
            number ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9] [1-9]{0,15})? ws
            ws ::= | " " | "\n" [ \t]{0,20}
            """;
        var constraint = new GrammarConstraint(GbnfGrammar.Parse(jsonGrammar), tokenizer, tokenizer.Vocabulary.Count);
        var candidates = new CandidateBuffer(tokenizer.Vocabulary.Count);
        var logits = new float[tokenizer.Vocabulary.Count];
        var history = new TokenHistory(tokenizer.Vocabulary.Count, 64);
        string text = "{\"name\": \"Ada Lovelace\", \"born\": 1815, \"tags\": [\"math\", ";
        var tokens = tokenizer.Encode(text, addSpecial: false);
        var clock = Stopwatch.StartNew();
        int allowed = 0;
        foreach (int token in tokens)
        {
            candidates.Load(logits);
            constraint.Process(candidates, history);
            allowed = candidates.Candidates.ToArray().Count(c => !float.IsNegativeInfinity(c.Logit));
            constraint.Accept(token);
        }
        double fullMask = clock.Elapsed.TotalMilliseconds / tokens.Length;

        // The fast path most steps take: check only the token the free sampler picked.
        var fresh = new GrammarConstraint(GbnfGrammar.Parse(jsonGrammar), tokenizer, tokenizer.Vocabulary.Count);
        clock.Restart();
        foreach (int token in tokens)
        {
            Assert.True(fresh.AllowsOne(token));
            fresh.Accept(token);
        }
        double oneToken = clock.Elapsed.TotalMilliseconds / tokens.Length;
        output.WriteLine($"{tokens.Length} steps over {logits.Length} tokens: full mask {fullMask:F1} ms per step, " +
                         $"single-token check {oneToken * 1000:F0} µs per step; {allowed} allowed at the last step");
        Assert.True(allowed > 0);
    }

    [SharedFact]
    public void The_single_token_check_agrees_with_the_full_mask_at_every_step()
    {
        using var file = GgufFile.Open(TestPaths.SharedVocab("ggml-vocab-qwen2.gguf"));
        var tokenizer = TokenizerFactory.FromGguf(file.Metadata);
        var grammar = GbnfGrammar.Parse("""
            root ::= "{\"city\": \"" [^"\\]* "\", \"temp\": " "-"? [0-9]+ ("." [0-9]+)? "}"
            """);
        var constraint = new GrammarConstraint(grammar, tokenizer, tokenizer.Vocabulary.Count);
        foreach (int token in tokenizer.Encode("{\"city\": \"Zürich 東京\", \"temp\": -3.5}", addSpecial: false))
        {
            bool[] mask = constraint.ComputeMask().ToArray();
            for (int t = 0; t < mask.Length; t++)
            {
                if (constraint.AllowsOne(t) != mask[t])
                    Assert.Fail($"token {t} '{tokenizer.Vocabulary.GetText(t)}': AllowsOne says {!mask[t]}, the full mask {mask[t]}");
            }
            constraint.Accept(token);
        }
        Assert.True(constraint.IsComplete);
    }
}
