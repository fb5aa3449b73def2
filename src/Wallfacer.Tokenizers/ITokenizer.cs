namespace Wallfacer.Tokenizers;

/// <summary>
/// Text ⇄ token ids, identical to llama.cpp's <c>llama_tokenize</c> / <c>llama_token_to_piece</c> /
/// <c>llama_detokenize</c> for the same GGUF vocabulary. Implementations are immutable and thread-safe.
/// </summary>
public interface ITokenizer
{
    Vocabulary Vocabulary { get; }

    /// <summary>
    /// Tokenizes <paramref name="text"/>. <paramref name="addSpecial"/> adds BOS/EOS as the vocabulary asks;
    /// <paramref name="parseSpecial"/> turns control-token text such as "&lt;|im_end|&gt;" into its id
    /// (user-defined tokens are always recognised, as in llama.cpp). The text is tokenized as its UTF-8
    /// encoding reads: a lone surrogate counts as U+FFFD.
    /// </summary>
    int[] Encode(string text, bool addSpecial = true, bool parseSpecial = true);

    /// <summary>
    /// The bytes of <paramref name="tokens"/> (llama_detokenize with remove_special = false): the space
    /// SentencePiece puts before the text is removed, and vocabularies that ask for it get
    /// clean_up_tokenization_spaces. Control tokens render only when <paramref name="renderSpecial"/>.
    /// </summary>
    byte[] DecodeBytes(ReadOnlySpan<int> tokens, bool renderSpecial = false);

    /// <summary>
    /// llama_detokenize with both switches: <paramref name="removeSpecial"/> drops a leading BOS and a
    /// trailing EOS when the vocabulary adds them.
    /// </summary>
    byte[] DecodeBytes(ReadOnlySpan<int> tokens, bool renderSpecial, bool removeSpecial);

    /// <summary><see cref="DecodeBytes(ReadOnlySpan{int}, bool)"/> as a string (invalid UTF-8 → U+FFFD).</summary>
    string Decode(ReadOnlySpan<int> tokens, bool renderSpecial = false);

    /// <summary>The bytes of one token (llama_token_to_piece with lstrip = 0).</summary>
    byte[] TokenBytes(int token, bool renderSpecial = false);
}
