namespace Wallfacer.Tokenizers.SentencePiece;

/// <summary>
/// The <c>llama</c> tokenizer (SentencePiece BPE with byte fallback), as llama.cpp runs it
/// (src/llama-vocab.cpp, tokenize, case LLAMA_VOCAB_TYPE_SPM): each text fragment gets a leading
/// space when add_space_prefix is set and it follows a special token or the start, spaces become '▁',
/// and <see cref="SpmEncoder"/> does the merging.
/// </summary>
internal sealed class SpmTokenizer : TokenizerBase
{
    private readonly SpmEncoder _encoder;

    public SpmTokenizer(Vocabulary vocabulary) : base(vocabulary)
    {
        _encoder = new SpmEncoder(vocabulary);
    }

    protected override void EncodeFragments(string text, List<Fragment> fragments, List<int> output)
    {
        bool previousIsSpecial = true; // the start of the text counts as "after a special token"
        foreach (var fragment in fragments)
        {
            if (!fragment.IsText)
            {
                output.Add(fragment.Token);
                previousIsSpecial = true;
                continue;
            }
            string piece = text.Substring(fragment.Offset, fragment.Length);
            if (Vocabulary.AddSpacePrefix && previousIsSpecial)
                piece = " " + piece;
            _encoder.Encode(piece.Replace(' ', '\u2581'), output);
            previousIsSpecial = false;
        }
    }
}
