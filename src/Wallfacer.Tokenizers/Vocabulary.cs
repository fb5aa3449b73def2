using System.Text;

namespace Wallfacer.Tokenizers;

/// <summary>
/// A tokenizer's vocabulary: token texts, attributes, scores and the special token ids, resolved the way
/// llama.cpp's <c>llama_vocab::impl::load</c> resolves them (src/llama-vocab.cpp), including the
/// tokens it recognises by text (EOT, EOM, FIM, end-of-generation). Immutable and thread-safe.
/// </summary>
public sealed class Vocabulary
{
    private readonly string[] _texts;
    private readonly TokenAttributes[] _attributes;
    private readonly float[] _scores;
    private readonly Dictionary<string, int> _idByText;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _idBySpan;
    private readonly HashSet<int> _endOfGeneration;

    internal Vocabulary(TokenizerKind kind, string[] texts, TokenAttributes[] attributes, float[] scores,
        Dictionary<string, int> idByText, SpecialTokenIds ids, VocabularyOptions options, HashSet<int> endOfGeneration)
    {
        Kind = kind;
        _texts = texts;
        _attributes = attributes;
        _scores = scores;
        _idByText = idByText;
        _idBySpan = idByText.GetAlternateLookup<ReadOnlySpan<char>>();
        Ids = ids;
        Options = options;
        _endOfGeneration = endOfGeneration;
        SpecialTokensLongestFirst = BuildSpecialTokenOrder();
    }

    /// <summary>The tokenizer algorithm.</summary>
    public TokenizerKind Kind { get; }

    /// <summary>Number of tokens.</summary>
    public int Count => _texts.Length;

    public int? Bos => Ids.Bos;
    public int? Eos => Ids.Eos;
    public int? Eot => Ids.Eot;
    public int? Eom => Ids.Eom;
    public int? Unknown => Ids.Unknown;
    public int? Separator => Ids.Separator;
    public int? Padding => Ids.Padding;
    public int? Mask => Ids.Mask;
    public int? FimPrefix => Ids.FimPrefix;
    public int? FimSuffix => Ids.FimSuffix;
    public int? FimMiddle => Ids.FimMiddle;
    public int? FimPad => Ids.FimPad;
    public int? FimRepo => Ids.FimRepo;
    public int? FimSeparator => Ids.FimSeparator;

    /// <summary>Whether <c>Encode(addSpecial: true)</c> starts with BOS.</summary>
    public bool AddBos => Options.AddBos;

    /// <summary>Whether <c>Encode(addSpecial: true)</c> ends with EOS.</summary>
    public bool AddEos => Options.AddEos;

    /// <summary>Whether a space is put before the text (SentencePiece) and removed again when decoding.</summary>
    public bool AddSpacePrefix => Options.AddSpacePrefix;

    /// <summary>All end-of-generation tokens (EOS, EOT, EOM, FIM pad/repo/sep and tokens llama.cpp knows by text).</summary>
    public IReadOnlyCollection<int> EndOfGenerationTokens => _endOfGeneration;

    internal SpecialTokenIds Ids { get; }

    internal VocabularyOptions Options { get; }

    /// <summary>Control, user-defined and unknown tokens, longest UTF-8 text first (llama.cpp cache_special_tokens).</summary>
    internal int[] SpecialTokensLongestFirst { get; }

    /// <summary>The token's text as stored in the vocabulary (e.g. "▁the", "Ġthe", "&lt;0x0A&gt;").</summary>
    public string GetText(int id) => _texts[CheckId(id)];

    public TokenAttributes GetAttributes(int id) => _attributes[CheckId(id)];

    public float GetScore(int id) => _scores[CheckId(id)];

    public bool IsEndOfGeneration(int id) => _endOfGeneration.Contains(id);

    public bool IsControl(int id) => (GetAttributes(id) & TokenAttributes.Control) != 0;

    public bool IsByte(int id) => (GetAttributes(id) & TokenAttributes.Byte) != 0;

    /// <summary>The id of the token whose text is exactly <paramref name="text"/>, or null.</summary>
    public int? Find(string text) => _idByText.TryGetValue(text, out int id) ? id : null;

    /// <summary>The id of the token whose text is exactly <paramref name="text"/>, or -1 (no allocation).</summary>
    internal int FindOrMinusOne(ReadOnlySpan<char> text) => _idBySpan.TryGetValue(text, out int id) ? id : -1;

    internal int CheckId(int id)
    {
        if ((uint)id >= (uint)_texts.Length)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Token id {id} is outside the vocabulary (0..{_texts.Length - 1}).");
        return id;
    }

    private int[] BuildSpecialTokenOrder()
    {
        const TokenAttributes special = TokenAttributes.Control | TokenAttributes.UserDefined | TokenAttributes.Unknown;
        var ids = new List<int>();
        for (int id = 0; id < _texts.Length; id++)
        {
            if ((_attributes[id] & special) != 0)
                ids.Add(id);
        }
        // llama.cpp sorts by byte length, longest first (std::sort; ties unspecified). Ties here keep id order.
        return [.. ids.OrderByDescending(id => Encoding.UTF8.GetByteCount(_texts[id])).ThenBy(id => id)];
    }
}

/// <summary>Special token ids (null = none).</summary>
internal sealed record SpecialTokenIds
{
    public int? Bos { get; set; }
    public int? Eos { get; set; }
    public int? Eot { get; set; }
    public int? Eom { get; set; }
    public int? Unknown { get; set; }
    public int? Separator { get; set; }
    public int? Padding { get; set; }
    public int? Mask { get; set; }
    public int? FimPrefix { get; set; }
    public int? FimSuffix { get; set; }
    public int? FimMiddle { get; set; }
    public int? FimPad { get; set; }
    public int? FimRepo { get; set; }
    public int? FimSeparator { get; set; }
}

/// <summary>Behaviour switches llama.cpp derives from the model type and pre-tokenizer.</summary>
internal sealed record VocabularyOptions
{
    public bool AddBos { get; init; }
    public bool AddEos { get; init; }
    public bool AddSpacePrefix { get; init; }

    /// <summary>clean_up_tokenization_spaces: decoding removes " ?", " !", " .", " ," spaces etc.</summary>
    public bool CleanSpaces { get; init; }

    /// <summary>BPE: a pre-tokenized word that is itself a token is not merged (llama3 and others).</summary>
    public bool IgnoreMerges { get; init; }
}
