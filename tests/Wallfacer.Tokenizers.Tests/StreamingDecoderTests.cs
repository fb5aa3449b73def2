using System.Text;
using Wallfacer.TestSupport;

namespace Wallfacer.Tokenizers.Tests;

public class StreamingDecoderTests
{
    private const string MixedText = "Hi 🦙 there! It's a test — naïve café, 日本語 and 👩‍💻 emoji.\n  Don't   stop ' now ?";

    public static TheoryData<string> VocabularyNames => new(SharedVocabularies.Names);

    [SharedTheory]
    [MemberData(nameof(VocabularyNames))]
    public void StreamedTextOfRealTextIsWholeCharactersAndEqualsDecode(string name)
    {
        var tokenizer = SharedVocabularies.Load(name);
        int[] ids = tokenizer.Encode(MixedText, addSpecial: true);
        var decoder = new StreamingDecoder(tokenizer);
        var parts = ids.Select(decoder.Push).ToList();
        parts.Add(decoder.Flush());

        Assert.Equal(tokenizer.Decode(ids), string.Concat(parts));
        foreach (string part in parts)
        {
            Assert.DoesNotContain('\uFFFD', part);
            Assert.True(IsWellFormed(part), $"'{part}' has a lone surrogate");
        }
    }

    [SharedTheory]
    [MemberData(nameof(VocabularyNames))]
    public void StreamedTextOfRandomTokensEqualsDecode(string name)
    {
        var tokenizer = SharedVocabularies.Load(name);
        var random = new Random(1234);
        var byteTokens = Enumerable.Range(0, tokenizer.Vocabulary.Count).Where(tokenizer.Vocabulary.IsByte).ToArray();
        for (int trial = 0; trial < 20; trial++)
        {
            // Mix arbitrary tokens with byte-fallback tokens, which split multi-byte characters.
            int[] ids = [.. Enumerable.Range(0, 40).Select(_ => byteTokens.Length > 0 && random.Next(3) == 0
                ? byteTokens[random.Next(byteTokens.Length)]
                : random.Next(tokenizer.Vocabulary.Count))];
            foreach (bool renderSpecial in new[] { false, true })
            {
                var decoder = new StreamingDecoder(tokenizer, renderSpecial);
                var parts = ids.Select(decoder.Push).ToList();
                parts.Add(decoder.Flush());
                Assert.Equal(tokenizer.Decode(ids, renderSpecial), string.Concat(parts));
                Assert.All(parts, p => Assert.True(IsWellFormed(p)));
            }
        }
    }

    [SharedFact]
    public void ByteFallbackTokensOfOneCharacterAreHeldUntilComplete()
    {
        var spm = SharedVocabularies.Load("llama-spm");
        // 🦙 is not in the Llama 2 vocabulary: four byte tokens.
        int[] ids = spm.Encode("🦙", addSpecial: false);
        Assert.True(ids.Count(spm.Vocabulary.IsByte) >= 4);
        var decoder = new StreamingDecoder(spm);
        var parts = ids.Select(decoder.Push).ToList();
        Assert.All(parts[..^1], p => Assert.DoesNotContain("🦙", p));
        Assert.Equal("🦙", string.Concat(parts).Trim());
        Assert.Equal("", decoder.Flush());
    }

    [SharedFact]
    public void ResetStartsANewSequence()
    {
        var spm = SharedVocabularies.Load("llama-spm");
        int[] ids = spm.Encode("Hello", addSpecial: false);
        var decoder = new StreamingDecoder(spm);
        string first = string.Concat(ids.Select(decoder.Push)) + decoder.Flush();
        decoder.Reset();
        string second = string.Concat(ids.Select(decoder.Push)) + decoder.Flush();
        Assert.Equal("Hello", first);
        Assert.Equal(first, second);
    }

    private static bool IsWellFormed(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                i++;
            else if (char.IsSurrogate(s[i]))
                return false;
        }
        return true;
    }
}
