using System.Text;

namespace Wallfacer.Tokenizers;

/// <summary>
/// Turns a stream of tokens (one sequence) into text as it is generated. Never emits part of a UTF-8
/// character, and the concatenation of everything <see cref="Push"/> and <see cref="Flush"/> return
/// equals <see cref="ITokenizer.Decode"/> of all tokens pushed since construction or <see cref="Reset"/>.
/// Not thread-safe: one per sequence.
/// </summary>
/// <remarks>
/// Vocabularies with clean_up_tokenization_spaces (GPT-2, Llama 3, ...) may drop a space depending on the
/// next characters (" ?", " 's"), so bytes are held back until the three characters before the
/// cut contain no space or apostrophe: the cleaning of what precedes such a cut cannot depend on what
/// follows it, nor the other way round (see <see cref="SpaceCleaner"/>).
/// </remarks>
public sealed class StreamingDecoder
{
    private const int CleanContext = 3;

    private readonly ITokenizer _tokenizer;
    private readonly bool _renderSpecial;
    private readonly bool _cleanSpaces;
    private readonly List<byte> _pending = [];
    private Decoder _utf8 = Encoding.UTF8.GetDecoder();
    private bool _started;

    public StreamingDecoder(ITokenizer tokenizer, bool renderSpecial = false)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        _tokenizer = tokenizer;
        _renderSpecial = renderSpecial;
        _cleanSpaces = tokenizer.Vocabulary.Options.CleanSpaces;
    }

    /// <summary>Adds one token; returns the text that became final (possibly empty).</summary>
    public string Push(int token)
    {
        ReadOnlySpan<byte> piece = _tokenizer is TokenizerBase fast ? fast.Piece(token, _renderSpecial) : _tokenizer.TokenBytes(token, _renderSpecial);
        if (!_started && _tokenizer.Vocabulary.AddSpacePrefix && piece.Length > 0 && piece[0] == ' ')
            piece = piece[1..]; // as Decode: the first token loses the space SentencePiece added
        _started = true;
        _pending.AddRange(piece);
        return Emit(_cleanSpaces ? SafeCut() : _pending.Count, flush: false);
    }

    /// <summary>Returns everything held back (an unfinished UTF-8 character becomes U+FFFD, as in Decode).</summary>
    public string Flush() => Emit(_pending.Count, flush: true);

    /// <summary>Starts a new sequence.</summary>
    public void Reset()
    {
        _pending.Clear();
        _utf8 = Encoding.UTF8.GetDecoder();
        _started = false;
    }

    /// <summary>The longest prefix of the pending bytes whose cleaning no later byte can change.</summary>
    private int SafeCut()
    {
        for (int cut = _pending.Count; cut >= CleanContext; cut--)
        {
            bool quiet = true;
            for (int i = cut - CleanContext; i < cut && quiet; i++)
                quiet = _pending[i] is not ((byte)' ' or (byte)'\'');
            if (quiet)
                return cut;
        }
        return 0;
    }

    private string Emit(int count, bool flush)
    {
        var bytes = new byte[count];
        _pending.CopyTo(0, bytes, 0, count);
        _pending.RemoveRange(0, count);
        int length = _cleanSpaces ? SpaceCleaner.Clean(bytes) : count;

        var chars = new char[_utf8.GetCharCount(bytes, 0, length, flush)];
        int n = _utf8.GetChars(bytes, 0, length, chars, 0, flush);
        return new string(chars, 0, n);
    }
}
