using System.Text;

namespace Wallfacer.Models.Synthetic;

/// <summary>
/// A SentencePiece-style (<c>llama</c> tokenizer model) vocabulary of any size for synthetic models:
/// <c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>, the 256 byte-fallback tokens, then made-up
/// pieces (letters, "▁"-prefixed letter runs) with descending scores, so any text tokenizes.
/// </summary>
public static class SyntheticVocabulary
{
    public const int Unknown = 0, Bos = 1, Eos = 2;
    private const string Alphabet = "etaoinshrdlcumwfgypbvkjxqz";

    /// <summary>Token texts, scores and types (1 normal, 2 unknown, 3 control, 6 byte) for <paramref name="size"/> tokens.</summary>
    public static (string[] Tokens, float[] Scores, int[] Types) Create(int size)
    {
        if (size < 259 + 2)
            throw new ArgumentOutOfRangeException(nameof(size), size, "A synthetic vocabulary needs at least 261 tokens.");
        var tokens = new string[size];
        var scores = new float[size];
        var types = new int[size];
        tokens[Unknown] = "<unk>"; types[Unknown] = 2;
        tokens[Bos] = "<s>"; types[Bos] = 3;
        tokens[Eos] = "</s>"; types[Eos] = 3;
        for (int b = 0; b < 256; b++)
        {
            tokens[3 + b] = $"<0x{b:X2}>";
            types[3 + b] = 6;
        }
        int next = 259;
        foreach (string piece in Pieces())
        {
            if (next == size)
                break;
            tokens[next] = piece;
            scores[next] = -(next - 259);
            types[next] = 1;
            next++;
        }
        return (tokens, scores, types);
    }

    private static IEnumerable<string> Pieces()
    {
        yield return "▁";
        foreach (char c in " .,!?'\"0123456789")
            if (c != ' ')
                yield return c.ToString();
        for (int length = 1; ; length++)
        {
            foreach (string word in Words(length))
            {
                yield return "▁" + word;
                yield return word;
            }
        }
    }

    private static IEnumerable<string> Words(int length)
    {
        var digits = new int[length];
        var sb = new StringBuilder(length);
        while (true)
        {
            sb.Clear();
            foreach (int d in digits)
                sb.Append(Alphabet[d]);
            yield return sb.ToString();
            int i = length - 1;
            while (i >= 0 && ++digits[i] == Alphabet.Length)
                digits[i--] = 0;
            if (i < 0)
                yield break;
        }
    }
}
