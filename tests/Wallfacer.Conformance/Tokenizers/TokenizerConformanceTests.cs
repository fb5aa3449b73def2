using Wallfacer.Conformance.Reference;
using Wallfacer.Tokenizers;
using Xunit.Abstractions;

namespace Wallfacer.Conformance.Tokenizers;

/// <summary>
/// Our tokenizers against live llama.cpp on <see cref="TokenizerTextSet"/>, for every shared vocabulary:
/// encoding, detokenizing, and the piece of every token id. Each test collects all mismatches of one
/// vocabulary and reports them together (vocabulary, text index, first differing position).
/// </summary>
[Collection(LlamaCollection.Name)]
public sealed class TokenizerConformanceTests(TokenizerPairCache cache, ITestOutputHelper output) : IClassFixture<TokenizerPairCache>
{
    /// <summary>The (addSpecial, parseSpecial) switch pairs compared: plain text, and chat-template style.</summary>
    private static readonly (bool AddSpecial, bool ParseSpecial)[] EncodeModes = [(false, false), (true, true)];

    [ReferenceTheory(NeedsShared = true)]
    [MemberData(nameof(TokenizerPairCache.Names), MemberType = typeof(TokenizerPairCache))]
    public void Encode_MatchesLlamaCpp(string vocabulary)
    {
        var (ours, reference) = cache.Get(vocabulary);
        var report = new MismatchReport(vocabulary);
        var texts = TokenizerTextSet.Texts;
        for (int i = 0; i < texts.Count; i++)
        {
            foreach (var (addSpecial, parseSpecial) in EncodeModes)
            {
                string what = $"encode text #{i} \"{MismatchReport.Preview(texts[i])}\" (addSpecial {addSpecial}, parseSpecial {parseSpecial})";
                int[] expected = reference.Tokenize(texts[i], addSpecial, parseSpecial);
                try
                {
                    report.Compare(what, expected, ours.Encode(texts[i], addSpecial, parseSpecial), MismatchReport.Ids);
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    report.Fail(what, $"ours threw {e.GetType().Name}: {e.Message}");
                }
            }
        }
        output.WriteLine($"{vocabulary}: {report.Compared} comparisons, {report.Count} mismatches.");
        report.AssertNone();
    }

    [ReferenceTheory(NeedsShared = true)]
    [MemberData(nameof(TokenizerPairCache.Names), MemberType = typeof(TokenizerPairCache))]
    public void Decode_MatchesLlamaCpp(string vocabulary)
    {
        // The ids come from llama.cpp, so this checks decoding even where encoding differs.
        var (ours, reference) = cache.Get(vocabulary);
        var report = new MismatchReport(vocabulary);
        var texts = TokenizerTextSet.Texts;
        for (int i = 0; i < texts.Count; i++)
        {
            foreach (var (addSpecial, parseSpecial) in EncodeModes)
            {
                int[] ids = reference.Tokenize(texts[i], addSpecial, parseSpecial);
                foreach (bool render in (bool[])[false, true])
                {
                    foreach (bool remove in (bool[])[false, true])
                    {
                        string what = $"decode text #{i} \"{MismatchReport.Preview(texts[i])}\" " +
                                      $"(ids from addSpecial {addSpecial}; removeSpecial {remove}, unparseSpecial {render})";
                        byte[] expected = reference.Detokenize(ids, removeSpecial: remove, unparseSpecial: render);
                        report.Compare(what, expected, ours.DecodeBytes(ids, renderSpecial: render, removeSpecial: remove), MismatchReport.Hex);
                    }
                }
            }
        }
        output.WriteLine($"{vocabulary}: {report.Compared} comparisons, {report.Count} mismatches.");
        report.AssertNone();
    }

    [ReferenceTheory(NeedsShared = true)]
    [MemberData(nameof(TokenizerPairCache.Names), MemberType = typeof(TokenizerPairCache))]
    public void TokenBytes_MatchLlamaCppForEveryId(string vocabulary)
    {
        var (ours, reference) = cache.Get(vocabulary);
        Assert.Equal(reference.VocabSize, ours.Vocabulary.Count);
        var report = new MismatchReport(vocabulary);
        for (int id = 0; id < reference.VocabSize; id++)
        {
            foreach (bool special in (bool[])[false, true])
            {
                byte[] expected = reference.TokenToPiece(id, special);
                report.Compare($"piece of token {id} \"{ours.Vocabulary.GetText(id)}\" (special {special})",
                    expected, ours.TokenBytes(id, special), MismatchReport.Hex);
            }
        }
        output.WriteLine($"{vocabulary}: {report.Compared} comparisons, {report.Count} mismatches.");
        report.AssertNone();
    }
}
