using System.Globalization;
using System.Text;
using Wallfacer.Tokenizers.Bpe;

namespace Wallfacer.Tokenizers;

/// <summary>
/// The bytes each token stands for, computed once (llama.cpp's cache_token_to_piece, built with
/// special = true; src/llama-vocab.cpp llama_vocab::impl::token_to_piece).
/// </summary>
internal sealed class TokenPieces
{
    private const TokenAttributes Special = TokenAttributes.Unknown | TokenAttributes.Control;

    private readonly byte[][] _pieces;
    private readonly Vocabulary _vocabulary;

    public TokenPieces(Vocabulary vocabulary)
    {
        _vocabulary = vocabulary;
        _pieces = new byte[vocabulary.Count][];
        for (int id = 0; id < _pieces.Length; id++)
            _pieces[id] = Render(vocabulary, id);
    }

    /// <summary>The piece of <paramref name="token"/>; empty for control/unknown tokens unless <paramref name="renderSpecial"/>.</summary>
    public ReadOnlySpan<byte> Get(int token, bool renderSpecial)
    {
        _vocabulary.CheckId(token);
        if (!renderSpecial && (_vocabulary.GetAttributes(token) & Special) != 0)
            return [];
        return _pieces[token];
    }

    private static byte[] Render(Vocabulary vocabulary, int id)
    {
        var attributes = vocabulary.GetAttributes(id);
        string text = vocabulary.GetText(id);
        if ((attributes & (Special | TokenAttributes.UserDefined)) != 0)
            return Encoding.UTF8.GetBytes(text);
        if ((attributes & TokenAttributes.Normal) != 0)
        {
            return vocabulary.Kind == TokenizerKind.SentencePiece
                ? Encoding.UTF8.GetBytes(text.Replace('\u2581', ' '))
                : DecodeByteLevel(text);
        }
        if ((attributes & TokenAttributes.Byte) != 0)
            return [ParseByteToken(text)];
        return []; // unused / undefined tokens render as nothing
    }

    /// <summary>Byte-level text back to bytes; a character outside the alphabet becomes "[UNK_BYTE_0x..]" as in llama.cpp.</summary>
    private static byte[] DecodeByteLevel(string text)
    {
        var bytes = new List<byte>(text.Length);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            int b = ByteLevelAlphabet.ToByte(rune.Value);
            if (b >= 0)
            {
                bytes.Add((byte)b);
                continue;
            }
            var sb = new StringBuilder("[UNK_BYTE_0x");
            int n = rune.EncodeToUtf8(utf8);
            for (int i = 0; i < n; i++)
                sb.Append(utf8[i].ToString("x2", CultureInfo.InvariantCulture));
            sb.Append(text).Append(']');
            bytes.AddRange(Encoding.UTF8.GetBytes(sb.ToString()));
        }
        return [.. bytes];
    }

    /// <summary>"&lt;0xAB&gt;" → 0xAB (strtol of the two characters after "&lt;0x").</summary>
    private static byte ParseByteToken(string text)
    {
        if (text.Length >= 5 && byte.TryParse(text.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte b))
            return b;
        if (text.Length == 1 && text[0] < 0x80)
            return (byte)text[0]; // vocabularies that store byte tokens as the byte itself
        throw new InvalidDataException($"Byte token '{text}' is not of the form <0xXX>.");
    }
}
