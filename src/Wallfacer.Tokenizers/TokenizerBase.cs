using System.Text;

namespace Wallfacer.Tokenizers;

/// <summary>
/// What SentencePiece and BPE share: special-token partitioning, BOS/EOS, and detokenization
/// (llama.cpp src/llama-vocab.cpp, llama_vocab::impl::tokenize / detokenize).
/// </summary>
internal abstract class TokenizerBase : ITokenizer
{
    private readonly TokenPieces _pieces;

    protected TokenizerBase(Vocabulary vocabulary)
    {
        Vocabulary = vocabulary;
        _pieces = new TokenPieces(vocabulary);
    }

    public Vocabulary Vocabulary { get; }

    public int[] Encode(string text, bool addSpecial = true, bool parseSpecial = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = WithLoneSurrogatesReplaced(text);
        var fragments = SpecialTokenPartitioner.Partition(Vocabulary, text, parseSpecial);
        var output = new List<int>();
        if (addSpecial && Vocabulary.AddBos)
            output.Add(Vocabulary.Bos ?? throw new InvalidOperationException("The vocabulary asks for BOS (add_bos) but has no BOS token."));
        EncodeFragments(text, fragments, output);
        if (addSpecial && Vocabulary.AddEos)
            output.Add(Vocabulary.Eos ?? throw new InvalidOperationException("The vocabulary asks for EOS (add_eos) but has no EOS token."));
        return [.. output];
    }

    /// <summary>
    /// llama.cpp tokenizes UTF-8, and a lone UTF-16 surrogate has no UTF-8 form: .NET's UTF-8 encoder
    /// writes U+FFFD for it, so we tokenize the text as that UTF-8 would read back. Without this, SPM
    /// looked the surrogate up as a character (no token) and fell back to the bytes of U+FFFD.
    /// </summary>
    private static string WithLoneSurrogatesReplaced(string text) =>
        text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0 ? text : Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));

    /// <summary>Appends the tokens of the fragments (text or special) to <paramref name="output"/>.</summary>
    protected abstract void EncodeFragments(string text, List<Fragment> fragments, List<int> output);

    public byte[] TokenBytes(int token, bool renderSpecial = false) => _pieces.Get(token, renderSpecial).ToArray();

    /// <summary>The cached piece, without copying.</summary>
    internal ReadOnlySpan<byte> Piece(int token, bool renderSpecial) => _pieces.Get(token, renderSpecial);

    public byte[] DecodeBytes(ReadOnlySpan<int> tokens, bool renderSpecial = false) => DecodeBytes(tokens, renderSpecial, removeSpecial: false);

    public byte[] DecodeBytes(ReadOnlySpan<int> tokens, bool renderSpecial, bool removeSpecial)
    {
        bool removeSpace = Vocabulary.AddSpacePrefix;
        if (removeSpecial && Vocabulary.AddBos && tokens.Length > 0 && tokens[0] == Vocabulary.Bos)
        {
            removeSpace = false;
            tokens = tokens[1..];
        }
        if (removeSpecial && Vocabulary.AddEos && tokens.Length > 0 && tokens[^1] == Vocabulary.Eos)
            tokens = tokens[..^1];

        var buffer = new List<byte>(tokens.Length * 4);
        for (int i = 0; i < tokens.Length; i++)
        {
            var piece = _pieces.Get(tokens[i], renderSpecial);
            if (i == 0 && removeSpace && piece.Length > 0 && piece[0] == ' ')
                piece = piece[1..];
            buffer.AddRange(piece);
        }
        var bytes = buffer.ToArray();
        if (!Vocabulary.Options.CleanSpaces)
            return bytes;
        int length = SpaceCleaner.Clean(bytes);
        return bytes[..length];
    }

    public string Decode(ReadOnlySpan<int> tokens, bool renderSpecial = false) =>
        Encoding.UTF8.GetString(DecodeBytes(tokens, renderSpecial));
}
