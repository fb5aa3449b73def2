using System.Text;

namespace Wallfacer.Tokenizers.SentencePiece;

/// <summary>
/// SentencePiece-style encoding of one text fragment (spaces already escaped to '▁'), as llama.cpp
/// src/llama-vocab.cpp llm_tokenizer_spm_session: start from single characters, repeatedly merge the
/// adjacent pair whose concatenation is the highest-scoring token (leftmost on ties), then emit each
/// piece, falling back to its UTF-8 bytes as &lt;0xXX&gt; tokens when it is not a token.
/// </summary>
internal sealed class SpmEncoder
{
    private struct Symbol
    {
        public int Start;  // in chars
        public int Length; // in chars; 0 once merged
        public int Prev;
        public int Next;
    }

    private readonly record struct Bigram(int Left, int Right, int Length);

    private readonly Vocabulary _vocabulary;
    private readonly int[] _byteTokens; // byte → token, -1 if none
    private readonly int _maxTokenChars;

    public SpmEncoder(Vocabulary vocabulary)
    {
        _vocabulary = vocabulary;
        _byteTokens = new int[256];
        for (int b = 0; b < 256; b++)
        {
            int id = vocabulary.FindOrMinusOne($"<0x{b:X2}>");
            // llama.cpp byte_to_token: "<0xXX>", else the byte itself as a one-byte string.
            if (id < 0 && b < 0x80)
                id = vocabulary.FindOrMinusOne([(char)b]);
            _byteTokens[b] = id;
        }
        for (int id = 0; id < vocabulary.Count; id++)
            _maxTokenChars = Math.Max(_maxTokenChars, vocabulary.GetText(id).Length);
    }

    public void Encode(string text, List<int> output)
    {
        if (text.Length == 0)
            return;
        var symbols = SplitCharacters(text);
        var queue = new PriorityQueue<Bigram, (float Score, int Left)>(new ScoreOrder());
        for (int i = 1; i < symbols.Length; i++)
            TryAddBigram(text, symbols, queue, i - 1, i);

        while (queue.TryDequeue(out var bigram, out _))
        {
            ref var left = ref symbols[bigram.Left];
            ref var right = ref symbols[bigram.Right];
            if (left.Length == 0 || right.Length == 0 || left.Length + right.Length != bigram.Length)
                continue; // one side was merged since this pair was queued

            left.Length += right.Length;
            right.Length = 0;
            left.Next = right.Next;
            if (right.Next >= 0)
                symbols[right.Next].Prev = bigram.Left;

            TryAddBigram(text, symbols, queue, left.Prev, bigram.Left);
            TryAddBigram(text, symbols, queue, bigram.Left, left.Next);
        }

        for (int i = 0; i != -1; i = symbols[i].Next)
            Emit(text.AsSpan(symbols[i].Start, symbols[i].Length), output);
    }

    private static Symbol[] SplitCharacters(string text)
    {
        var list = new List<Symbol>(text.Length);
        for (int i = 0; i < text.Length;)
        {
            int n = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            list.Add(new Symbol { Start = i, Length = n, Prev = list.Count - 1, Next = list.Count + 1 });
            i += n;
        }
        var symbols = list.ToArray();
        symbols[^1].Next = -1;
        return symbols;
    }

    private void TryAddBigram(string text, Symbol[] symbols, PriorityQueue<Bigram, (float, int)> queue, int left, int right)
    {
        if (left < 0 || right < 0)
            return;
        int length = symbols[left].Length + symbols[right].Length;
        if (length > _maxTokenChars)
            return; // cannot be a token; also keeps long runs linear
        int token = _vocabulary.FindOrMinusOne(text.AsSpan(symbols[left].Start, length));
        if (token < 0)
            return;
        queue.Enqueue(new Bigram(left, right, length), (_vocabulary.GetScore(token), left));
    }

    private void Emit(ReadOnlySpan<char> piece, List<int> output)
    {
        int token = _vocabulary.FindOrMinusOne(piece);
        if (token >= 0)
        {
            output.Add(token);
            return;
        }
        // Merged pieces are always tokens, so only single characters get here: emit their bytes.
        Span<byte> utf8 = stackalloc byte[8];
        int n = Encoding.UTF8.GetBytes(piece, utf8);
        for (int i = 0; i < n; i++)
        {
            int id = _byteTokens[utf8[i]];
            if (id < 0)
                id = _vocabulary.Unknown ?? throw new InvalidOperationException(
                    $"The vocabulary has no byte token <0x{utf8[i]:X2}> and no unknown token, so '{piece}' cannot be encoded.");
            output.Add(id);
        }
    }

    /// <summary>Highest score first; on equal scores the leftmost pair (llama_bigram_spm::comparator).</summary>
    private sealed class ScoreOrder : IComparer<(float Score, int Left)>
    {
        public int Compare((float Score, int Left) x, (float Score, int Left) y)
        {
            int byScore = y.Score.CompareTo(x.Score);
            return byScore != 0 ? byScore : x.Left.CompareTo(y.Left);
        }
    }
}
