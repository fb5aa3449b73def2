using System.Collections.Concurrent;
using System.Text;
using Wallfacer.Tokenizers.PreTokenizers;

namespace Wallfacer.Tokenizers.Bpe;

/// <summary>
/// The <c>gpt2</c> tokenizer (byte-level BPE), as llama.cpp runs it (src/llama-vocab.cpp,
/// llm_tokenizer_bpe_session): pre-tokenize each text fragment into words, map each word's UTF-8
/// bytes to the byte-level alphabet, then merge by rank. Results are cached per word.
/// </summary>
internal sealed class BpeTokenizer : TokenizerBase
{
    private const int MaxCachedWords = 1 << 16;
    private const int MaxCachedWordLength = 64;

    private readonly PreTokenizer _preTokenizer;
    private readonly BpeWordEncoder _wordEncoder;
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);

    public BpeTokenizer(Vocabulary vocabulary, PreTokenizerSpec pre, IReadOnlyList<string> merges) : base(vocabulary)
    {
        PreTokenizerName = pre.Name;
        _preTokenizer = new PreTokenizer(pre.Patterns);
        _wordEncoder = new BpeWordEncoder(vocabulary, new MergeTable(merges, vocabulary));
    }

    /// <summary>The <c>tokenizer.ggml.pre</c> name in use.</summary>
    public string PreTokenizerName { get; }

    protected override void EncodeFragments(string text, List<Fragment> fragments, List<int> output)
    {
        foreach (var fragment in fragments)
        {
            if (fragment.IsText)
                EncodeText(text.AsSpan(fragment.Offset, fragment.Length), output);
            else
                output.Add(fragment.Token);
        }
    }

    private void EncodeText(ReadOnlySpan<char> text, List<int> output)
    {
        int[] codepoints = PreTokenizer.ToCodepoints(text);
        int start = 0;
        foreach (int length in _preTokenizer.Split(codepoints))
        {
            EncodeWord(ToByteLevel(codepoints.AsSpan(start, length)), output);
            start += length;
        }
    }

    private void EncodeWord(string word, List<int> output)
    {
        if (_cache.TryGetValue(word, out var cached))
        {
            output.AddRange(cached);
            return;
        }
        int first = output.Count;
        int whole = Vocabulary.Options.IgnoreMerges ? Vocabulary.FindOrMinusOne(word) : -1;
        if (whole >= 0)
            output.Add(whole);
        else
            _wordEncoder.Encode(word, output);

        if (word.Length <= MaxCachedWordLength)
        {
            if (_cache.Count >= MaxCachedWords)
                _cache.Clear(); // bounded memory; the cache only saves time
            _cache.TryAdd(word, output.GetRange(first, output.Count - first).ToArray());
        }
    }

    /// <summary>UTF-8 bytes of the codepoints, each byte as its byte-level character.</summary>
    private static string ToByteLevel(ReadOnlySpan<int> codepoints)
    {
        var sb = new StringBuilder(codepoints.Length * 2);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (int cpt in codepoints)
        {
            int n = new Rune(cpt).EncodeToUtf8(utf8);
            for (int i = 0; i < n; i++)
                sb.Append(ByteLevelAlphabet.ToChar(utf8[i]));
        }
        return sb.ToString();
    }
}
