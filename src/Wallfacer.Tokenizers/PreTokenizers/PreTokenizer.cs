using System.Text;

namespace Wallfacer.Tokenizers.PreTokenizers;

/// <summary>
/// Splits text into words before BPE (llama.cpp src/unicode.cpp, unicode_regex_split): the regexes run
/// in order over codepoints, each refining the previous pieces. The GPT-2, Llama-3 and Qwen2 regexes
/// use hand-written splitters exactly as llama.cpp does; every other regex goes through
/// <see cref="RegexSplitStep"/>.
/// </summary>
internal sealed class PreTokenizer
{
    private readonly ISplitStep[] _steps;

    public PreTokenizer(IEnumerable<string> patterns)
    {
        _steps = [.. patterns.Select(CreateStep)];
    }

    private static ISplitStep CreateStep(string pattern) => pattern switch
    {
        PreTokenizerPatterns.Gpt2 => new Gpt2Splitter(),
        PreTokenizerPatterns.Llama3 => new Llama3Splitter(maxDigits: 3),
        PreTokenizerPatterns.Qwen2 => new Llama3Splitter(maxDigits: 1),
        _ => new RegexSplitStep(pattern),
    };

    /// <summary>The words of <paramref name="codepoints"/> as lengths in codepoints, in order.</summary>
    public List<int> Split(ReadOnlySpan<int> codepoints)
    {
        var chunks = new List<int> { codepoints.Length };
        foreach (var step in _steps)
        {
            var next = new List<int>(chunks.Count * 2);
            step.Split(codepoints, chunks, next);
            chunks = next;
        }
        return chunks;
    }

    /// <summary>Codepoints of a string; unpaired surrogates become U+FFFD (as UTF-8 encoding would make them).</summary>
    public static int[] ToCodepoints(ReadOnlySpan<char> text)
    {
        var result = new int[text.Length];
        int n = 0;
        int i = 0;
        while (i < text.Length)
        {
            Rune.DecodeFromUtf16(text[i..], out var rune, out int consumed);
            result[n++] = rune.Value; // invalid input yields U+FFFD
            i += consumed;
        }
        return n == result.Length ? result : result[..n];
    }
}
