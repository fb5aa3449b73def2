using System.Buffers;
using System.Text;
using System.Text.Json;
using Wallfacer.Conformance.Reference;
using Wallfacer.Inference.Grammar;
using Wallfacer.Tokenizers;
using Xunit.Abstractions;

namespace Wallfacer.Conformance.Grammar;

/// <summary>
/// Our grammar constraint against llama.cpp's grammar sampler (<c>llama_sampler_init_grammar</c>) on the same
/// vocabulary: each test string is tokenized by llama.cpp and fed token by token; at every step both must agree
/// whether the next token is allowed (llama.cpp: <c>llama_sampler_apply</c> leaves its logit finite), and at the
/// end whether end-of-generation is.
/// </summary>
[Collection(LlamaCollection.Name)]
public class GrammarConformanceTests(GrammarVocabularies vocabularies, ITestOutputHelper output) : IClassFixture<GrammarVocabularies>
{
    private const string LlamaBpe = "ggml-vocab-llama-bpe.gguf";
    private const string LlamaSpm = "ggml-vocab-llama-spm.gguf";
    private static string ExamplesDirectory => Wallfacer.TestSupport.TestPaths.ExampleGrammars;

    private static readonly Dictionary<string, string> Inline = new()
    {
        ["utf8"] = "root ::= \"é\" [^a]* \"ü\"",
        ["repeat"] = "root ::= [a-z]{2,4} \"-\" [0-9]{1,3} (\",\" [a-z]{2,4} \"-\" [0-9]{1,3})?",
        ["schema-event"] = JsonSchemaGrammar.ToGbnf(JsonDocument.Parse("""
            {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}, "day": {"type": "string", "format": "date"},
             "level": {"enum": ["low", "high"]}, "n": {"type": "integer", "minimum": -20, "maximum": 300},
             "tags": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]{1,3}$"}, "maxItems": 2}},
             "required": ["id", "level"]}
            """).RootElement),
        ["regex"] = RegexGrammar.ToGbnf(@"^[A-Z]{2}-\d{3}(\.(txt|md))?$"),
    };

    private static string Source(string grammar) =>
        Inline.TryGetValue(grammar, out string? text) ? text : File.ReadAllText(Path.Combine(ExamplesDirectory, grammar));

    public static TheoryData<string, string, bool> Cases() => new()
    {
        { "json.gbnf", "{\"a\": 1}", true },
        { "json.gbnf", "{\"name\": \"Wallfacer\", \"list\": [1, 2.5, -3e4, true, null], \"nested\": {\"k\": \"é😀 日本\"}}", true },
        { "json.gbnf", "{\"s\": \"\\u00e9\\n\\\"\"}", true },
        { "json.gbnf", "{\"a\": tru}", false },
        { "json.gbnf", "{\"a\" 1}", false },
        { "json.gbnf", "[1, 2]", false },
        { "json_arr.gbnf", "[\n{\"a\": 1},\n2]", true },
        { "json_arr.gbnf", "[1]", false },
        { "arithmetic.gbnf", "a1 = (b+2*c)\nx = 1\n", true },
        { "arithmetic.gbnf", "a1 = b+2\n", false },
        { "list.gbnf", "- milk\n- eggs é\n- 卵\n", true },
        { "list.gbnf", "-milk\n", false },
        { "chess.gbnf", "1. e4 e5\n2. Nf3 Nc6\n3. Bb5 a6\n", true },
        { "chess.gbnf", "1. e4 e9\n", false },
        { "japanese.gbnf", "こんにちは 世界、元気ですか", true },
        { "japanese.gbnf", "こんにちは world", false },
        { "english.gbnf", "Hello, world! It's 42.", true },
        { "english.gbnf", "Héllo", false },
        { "c.gbnf", "int main(){return 0;}float f(int x){x = x*2;return x;}", true },
        { "c.gbnf", "int main( {}", false },
        { "utf8", "é😀 ü", true },
        { "utf8", "éaü", false },
        { "repeat", "abc-12,de-7", true },
        { "repeat", "a-1", false },
        { "schema-event", "{\"id\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", \"day\": \"2024-02-28\", \"level\": \"high\", \"n\": 299, \"tags\": [\"ab\", \"c\"]}", true },
        { "schema-event", "{\"id\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", \"level\": \"low\", \"n\": 301}", false },
        { "regex", "AB-123.md", true },
        { "regex", "AB-12", false },
    };

    [ReferenceTheory(NeedsShared = true)]
    [MemberData(nameof(Cases))]
    public void Token_by_token_acceptance_matches_llama_cpp_bpe(string grammar, string text, bool matches) =>
        CompareAcceptance(LlamaBpe, grammar, text, matches);

    [ReferenceTheory(NeedsShared = true)]
    [MemberData(nameof(Cases))]
    public void Token_by_token_acceptance_matches_llama_cpp_spm(string grammar, string text, bool matches) =>
        CompareAcceptance(LlamaSpm, grammar, text, matches);

    private void CompareAcceptance(string vocabFile, string grammar, string text, bool matches)
    {
        var (reference, tokenizer) = vocabularies.Get(vocabFile);
        string gbnf = Source(grammar);
        using LlamaGrammarSampler sampler = reference.CreateGrammarSampler(gbnf) ?? throw new InvalidOperationException($"llama.cpp refused {grammar}");
        var ours = new GrammarConstraint(GbnfGrammar.Parse(gbnf), tokenizer, tokenizer.Vocabulary.Count);
        int[] tokens = Tokens(vocabFile, reference, tokenizer, text);
        bool refused = false;
        foreach (int t in tokens)
        {
            bool expected = sampler.Allowed([t])[0];
            bool actual = ours.ComputeMask()[t];
            Assert.True(expected == actual, $"{grammar}: token {t} '{tokenizer.Vocabulary.GetText(t)}': llama.cpp {(expected ? "allows" : "refuses")} it, we {(actual ? "allow" : "refuse")} it");
            if (!expected) { refused = true; break; }
            sampler.Accept(t);
            ours.Accept(t);
        }
        if (!refused)
        {
            int eos = reference.Eos;
            Assert.Equal(sampler.Allowed([eos])[0], ours.ComputeMask()[eos]);
            refused = !ours.IsComplete;
        }
        Assert.Equal(matches, !refused);
        output.WriteLine($"{tokens.Length} tokens, {(refused ? "refused" : "accepted")}");
    }

    public static TheoryData<string, string, string> MaskCases() => new()
    {
        { LlamaBpe, "json.gbnf", "{\"k\": \"é😀\", \"n\": [1, 2.5]}" },
        { LlamaBpe, "japanese.gbnf", "こんにちは 世界" },
        { LlamaBpe, "chess.gbnf", "1. e4 e5\n2. Nf3" },
        { LlamaBpe, "schema-event", "{\"id\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", \"level\": \"low\"}" },
        { LlamaSpm, "json.gbnf", "{\"k\": \"é😀\", \"n\": [1, 2.5]}" },
        { LlamaSpm, "list.gbnf", "- 卵 é\n" },
    };

    /// <summary>
    /// The whole vocabulary's mask at every step. Three deliberate differences are set aside: control tokens (llama.cpp
    /// matches their text; we never let a grammar produce them); tokens that would make the text invalid UTF-8
    /// (llama.cpp admits overlong forms and surrogates; we do not); and tokens ending inside a character that llama.cpp
    /// refuses while we allow them — its llama_grammar_match_partial_char refuses a partial character under a negated
    /// class as soon as one excluded character lies in the range it could complete to (list.gbnf's [^...\x85...] refuses
    /// the lead byte C2 although "¡" = C2 A1 is allowed); we allow it when some completion is allowed.
    /// </summary>
    [ReferenceTheory(NeedsShared = true)]
    [MemberData(nameof(MaskCases))]
    public void Whole_vocabulary_mask_matches_llama_cpp(string vocabFile, string grammar, string text)
    {
        var (reference, tokenizer) = vocabularies.Get(vocabFile);
        string gbnf = Source(grammar);
        using LlamaGrammarSampler sampler = reference.CreateGrammarSampler(gbnf)!;
        var ours = new GrammarConstraint(GbnfGrammar.Parse(gbnf), tokenizer, tokenizer.Vocabulary.Count);
        var accepted = new List<byte>();
        int[] tokens = Tokens(vocabFile, reference, tokenizer, text);
        int steps = 0, compared = 0, controls = 0, invalids = 0, partials = 0;
        foreach (int next in tokens.Append(-1))
        {
            bool[] expected = sampler.AllowedAll();
            bool[] actual = ours.ComputeMask().ToArray();
            byte[] pending = PendingUtf8(accepted);
            for (int t = 0; t < expected.Length; t++)
            {
                if (expected[t] == actual[t]) { compared++; continue; }
                bool control = (tokenizer.Vocabulary.GetAttributes(t) & (TokenAttributes.Control | TokenAttributes.Unused | TokenAttributes.Unknown)) != 0;
                byte[] spelled = [.. pending, .. tokenizer.TokenBytes(t)];
                bool invalid = expected[t] && !IsValidUtf8Prefix(spelled);
                bool partialUnderNegatedClass = !expected[t] && PendingUtf8([.. spelled]).Length > 0;
                if (control) { controls++; continue; }
                if (invalid) { invalids++; continue; }
                if (partialUnderNegatedClass) { partials++; continue; }
                Assert.Fail($"{grammar} step {steps} (after '{Encoding.UTF8.GetString([.. accepted])}'): token {t} '{tokenizer.Vocabulary.GetText(t)}' — llama.cpp {(expected[t] ? "allows" : "refuses")} it, we {(actual[t] ? "allow" : "refuse")} it");
            }
            if (next < 0) break;
            Assert.True(expected[next]);
            sampler.Accept(next);
            ours.Accept(next);
            accepted.AddRange(tokenizer.TokenBytes(next));
            steps++;
        }
        output.WriteLine($"{steps} steps, {compared} token decisions equal; set aside: {controls} control tokens, {invalids} invalid UTF-8, {partials} partial characters under negated classes");
    }

    /// <summary>
    /// The tokens to feed: llama.cpp's own tokenization for BPE; for SentencePiece (whose tokenizer adds a leading space)
    /// a greedy longest-match over the token byte strings, byte-fallback tokens included — any spelling of the text will do.
    /// </summary>
    private static int[] Tokens(string vocabFile, LlamaReferenceModel reference, ITokenizer tokenizer, string text)
    {
        if (vocabFile != LlamaSpm) return reference.Tokenize(text, addSpecial: false, parseSpecial: false);
        var byBytes = new Dictionary<string, int>();
        for (int t = 0; t < tokenizer.Vocabulary.Count; t++)
        {
            if ((tokenizer.Vocabulary.GetAttributes(t) & (TokenAttributes.Control | TokenAttributes.Unknown | TokenAttributes.Unused)) != 0) continue;
            byte[] b = tokenizer.TokenBytes(t);
            if (b.Length > 0) byBytes.TryAdd(Convert.ToHexString(b), t);
        }
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        var tokens = new List<int>();
        for (int i = 0; i < bytes.Length;)
        {
            for (int n = Math.Min(16, bytes.Length - i); ; n--)
            {
                if (byBytes.TryGetValue(Convert.ToHexString(bytes, i, n), out int t)) { tokens.Add(t); i += n; break; }
                if (n == 1) throw new InvalidOperationException($"no token spells byte {bytes[i]:X2}");
            }
        }
        return [.. tokens];
    }

    /// <summary>The bytes of an unfinished last character.</summary>
    private static byte[] PendingUtf8(List<byte> bytes)
    {
        int start = bytes.Count;
        while (start > 0 && start > bytes.Count - 4 && (bytes[start - 1] & 0xC0) == 0x80) start--;
        if (start > 0 && bytes[start - 1] >= 0xC0) start--;
        else return [];
        byte[] tail = [.. bytes.Skip(start)];
        return Rune.DecodeFromUtf8(tail, out _, out _) == OperationStatus.NeedMoreData ? tail : [];
    }

    private static bool IsValidUtf8Prefix(ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0)
        {
            var status = Rune.DecodeFromUtf8(bytes, out _, out int consumed);
            if (status == OperationStatus.NeedMoreData) return true;
            if (status != OperationStatus.Done) return false;
            bytes = bytes[consumed..];
        }
        return true;
    }

    [ReferenceFact(NeedsShared = true)]
    public void Malformed_and_left_recursive_grammars_are_refused_by_both()
    {
        var (reference, _) = vocabularies.Get(LlamaBpe);
        string[] bad = ["root ::= \"a", "root ::= [a-", "root ::= (\"a\" | \"b\"", "root ::= \"a\" thing", "root ::= root \"a\" | \"b\""];
        foreach (string gbnf in bad)
        {
            using var sampler = reference.CreateGrammarSampler(gbnf);
            Assert.True(sampler is null, $"llama.cpp accepted {gbnf}");
            Assert.Throws<GrammarException>(() => GbnfGrammar.Parse(gbnf));
        }
        foreach (string name in Directory.GetFiles(ExamplesDirectory, "*.gbnf"))
        {
            using var sampler = reference.CreateGrammarSampler(File.ReadAllText(name));
            Assert.NotNull(sampler);
            Assert.NotNull(GbnfGrammar.Parse(File.ReadAllText(name)));
        }
    }
}
