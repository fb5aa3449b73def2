using System.Text;

namespace Wallfacer.Conformance.Reference;

// Tokenizer calls. llama.cpp reports "buffer too small" by returning minus the size it needs;
// each call here retries once with exactly that size.
public sealed unsafe partial class LlamaReferenceModel
{
    /// <summary>
    /// <c>llama_tokenize</c>: <paramref name="addSpecial"/> adds BOS/EOS as the vocabulary asks;
    /// <paramref name="parseSpecial"/> turns special-token text into its ids (else it is plain text).
    /// </summary>
    public int[] Tokenize(string text, bool addSpecial, bool parseSpecial)
    {
        ArgumentNullException.ThrowIfNull(text);
        // A trailing NUL (not counted in the length) keeps the pointer non-null for an empty text.
        byte[] utf8 = Encoding.UTF8.GetBytes(text + "\0");
        lock (gate)
        {
            ThrowIfDisposed();
            int[] tokens = new int[utf8.Length + 2];
            int n = TokenizeInto(utf8, tokens, addSpecial, parseSpecial);
            if (n < 0)
            {
                if (n == int.MinValue)
                    throw new InvalidOperationException($"llama_tokenize overflowed on a text of {utf8.Length - 1} bytes.");
                tokens = new int[-n];
                n = TokenizeInto(utf8, tokens, addSpecial, parseSpecial);
                if (n < 0)
                    throw new InvalidOperationException($"llama_tokenize asked for {tokens.Length} slots, then for {-n}.");
            }
            return tokens.AsSpan(0, n).ToArray();
        }
    }

    /// <summary><c>llama_token_to_piece</c> with no left-stripping: the token's bytes (not always whole UTF-8).</summary>
    public byte[] TokenToPiece(int token, bool special)
    {
        lock (gate)
        {
            ThrowIfDisposed();
            CheckTokens([token], nameof(token));
            byte[] buffer = new byte[32];
            int n = PieceInto(token, buffer, special);
            if (n < 0)
            {
                buffer = new byte[-n];
                n = PieceInto(token, buffer, special);
                if (n < 0)
                    throw new InvalidOperationException($"llama_token_to_piece asked for {buffer.Length} bytes, then for {-n}.");
            }
            return buffer.AsSpan(0, n).ToArray();
        }
    }

    /// <summary>
    /// <c>llama_detokenize</c>: <paramref name="removeSpecial"/> drops a leading BOS / trailing EOS the
    /// vocabulary adds; <paramref name="unparseSpecial"/> renders special tokens as their text.
    /// </summary>
    public byte[] Detokenize(int[] tokens, bool removeSpecial, bool unparseSpecial)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        lock (gate)
        {
            ThrowIfDisposed();
            CheckTokens(tokens, nameof(tokens));
            if (tokens.Length == 0)
                return [];
            byte[] text = new byte[tokens.Length * 8 + 16];
            int n = DetokenizeInto(tokens, text, removeSpecial, unparseSpecial);
            if (n < 0)
            {
                text = new byte[-n];
                n = DetokenizeInto(tokens, text, removeSpecial, unparseSpecial);
                if (n < 0)
                    throw new InvalidOperationException($"llama_detokenize asked for {text.Length} bytes, then for {-n}.");
            }
            return text.AsSpan(0, n).ToArray();
        }
    }

    private int TokenizeInto(byte[] utf8, int[] tokens, bool addSpecial, bool parseSpecial)
    {
        fixed (byte* t = utf8)
        fixed (int* ids = tokens)
            return LlamaNative.Tokenize(vocab, t, utf8.Length - 1, ids, tokens.Length, ToByte(addSpecial), ToByte(parseSpecial));
    }

    private int PieceInto(int token, byte[] buffer, bool special)
    {
        fixed (byte* b = buffer)
            return LlamaNative.TokenToPiece(vocab, token, b, buffer.Length, 0, ToByte(special));
    }

    private int DetokenizeInto(int[] tokens, byte[] text, bool removeSpecial, bool unparseSpecial)
    {
        fixed (int* ids = tokens)
        fixed (byte* t = text)
            return LlamaNative.Detokenize(vocab, ids, tokens.Length, t, text.Length, ToByte(removeSpecial), ToByte(unparseSpecial));
    }

    private static byte ToByte(bool value) => value ? (byte)1 : (byte)0;
}
