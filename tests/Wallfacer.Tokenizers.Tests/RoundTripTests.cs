using System.Text;
using Wallfacer.TestSupport;

namespace Wallfacer.Tokenizers.Tests;

public class RoundTripTests
{
    public static TheoryData<string> VocabularyNames => new(SharedVocabularies.Names);

    private static readonly string[] Texts =
    [
        "", " ", "\n\n\t x", "Hello world", "  leading and trailing  ", "naïve café ÆØÅ ß", "日本語のテキスト", "🦙🦙 👩‍💻",
        "x = a[i] + 1_000_000; // comment", "Line1\r\nLine2\rLine3", "\u00A0nbsp\u2003em\u3000ideographic", "ᚠᛇᚻ ᛒᛦᚦ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    ];

    [SharedTheory]
    [MemberData(nameof(VocabularyNames))]
    public void DecodeOfEncodeGivesTheTextBack(string name)
    {
        var tokenizer = SharedVocabularies.Load(name);
        foreach (string text in Texts.Concat(RandomTexts(new Random(name.Length), 30)))
        {
            int[] ids = tokenizer.Encode(text, addSpecial: false, parseSpecial: false);
            Assert.Equal(Encoding.UTF8.GetBytes(text), tokenizer.DecodeBytes(ids));
        }
    }

    /// <summary>One vocabulary per code path: SentencePiece, the hand-written Llama-3 splitter, the regex splitter.</summary>
    public static TheoryData<string> LongRunVocabularies => new("llama-spm", "llama-bpe", "command-r");

    [SharedTheory]
    [MemberData(nameof(LongRunVocabularies))]
    public void LongRunsOfOneCharacterStayBounded(string name)
    {
        // Inputs of a few hundred KB must finish quickly (no quadratic merge loops); the result must still round-trip.
        var tokenizer = SharedVocabularies.Load(name);
        foreach (string text in new[] { new string('a', 1 << 17), new string(' ', 1 << 16) + "x", string.Concat(Enumerable.Repeat("ab ", 50_000)) })
        {
            int[] ids = tokenizer.Encode(text, addSpecial: false, parseSpecial: false);
            Assert.NotEmpty(ids);
            Assert.Equal(text.Length, tokenizer.Decode(ids).Length);
        }
    }

    /// <summary>Random mixes of letters, digits, punctuation, whitespace and non-ASCII; no " ?"-style pairs that
    /// clean_up_tokenization_spaces would change (those are covered by the detokenize tests).</summary>
    private static IEnumerable<string> RandomTexts(Random random, int count)
    {
        const string alphabet = "abcXYZ019 \n\t-_/()[]{}<>@#$%^&*+=~|\\\"éßЖж中文한🦙\u0301";
        for (int i = 0; i < count; i++)
        {
            var sb = new StringBuilder();
            var runes = alphabet.EnumerateRunes().ToArray();
            for (int j = random.Next(1, 60); j > 0; j--)
                sb.Append(runes[random.Next(runes.Length)].ToString());
            yield return sb.ToString();
        }
    }
}
