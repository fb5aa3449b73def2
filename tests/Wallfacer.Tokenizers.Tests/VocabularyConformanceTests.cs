using System.Text;
using Wallfacer.TestSupport;

namespace Wallfacer.Tokenizers.Tests;

/// <summary>llama.cpp's own tokenizer test pairs (tests/test-tokenizer-0.cpp): add_special = false, parse_special = false.</summary>
public class VocabularyConformanceTests
{
    public static TheoryData<string> VocabularyNames => new(SharedVocabularies.Names);

    [SharedTheory]
    [MemberData(nameof(VocabularyNames))]
    public void EveryTestPairGivesLlamaCppsIds(string name)
    {
        var tokenizer = SharedVocabularies.Load(name);
        var pairs = SharedVocabularies.ReadPairs(name);
        var failures = new StringBuilder();
        int passed = 0;
        foreach (var (text, expected) in pairs)
        {
            int[] actual = tokenizer.Encode(text, addSpecial: false, parseSpecial: false);
            if (actual.AsSpan().SequenceEqual(expected))
                passed++;
            else
                failures.AppendLine($"'{Escape(text)}': expected [{string.Join(' ', expected)}] got [{string.Join(' ', actual)}]");
        }
        Assert.True(passed == pairs.Count, $"{name}: {passed}/{pairs.Count} pairs match\n{failures}");
    }

    [SharedTheory]
    [MemberData(nameof(VocabularyNames))]
    public void TestPairsRoundTripThroughTokenPieces(string name)
    {
        var tokenizer = SharedVocabularies.Load(name);
        foreach (var (text, _) in SharedVocabularies.ReadPairs(name))
        {
            int[] ids = tokenizer.Encode(text, addSpecial: false, parseSpecial: false);
            var bytes = ids.SelectMany(id => tokenizer.TokenBytes(id, renderSpecial: true)).ToArray();
            byte[] expected = Encoding.UTF8.GetBytes(tokenizer.Vocabulary.AddSpacePrefix && text.Length > 0 ? " " + text : text);
            Assert.Equal(expected, bytes);
        }
    }

    private static string Escape(string s) => s.Replace("\n", "\\n").Replace("\r", "\\r").Replace("\t", "\\t");
}
