namespace Wallfacer.Tokenizers.Bpe;

/// <summary>
/// Merges one pre-tokenized word by rank, lowest first, leftmost first among equal ranks — the loop of
/// llama.cpp src/llama-vocab.cpp (llm_tokenizer_bpe_session::tokenize) with integer symbols.
/// Uses a priority queue, so a word of n characters costs O(n log n) even for long runs of one character.
/// </summary>
internal sealed class BpeWordEncoder(Vocabulary vocabulary, MergeTable merges)
{
    private struct Symbol
    {
        public int Id;     // symbol id in the merge table, -1 if the text occurs in no merge
        public int Start;  // in chars of the word
        public int Length; // 0 once merged into its left neighbour
        public int Prev;
        public int Next;
    }

    private readonly record struct Bigram(int Left, int Right, int LeftId, int RightId, int Result);

    /// <summary>Appends the tokens of <paramref name="word"/> (in the vocabulary's alphabet) to <paramref name="output"/>.</summary>
    public void Encode(string word, List<int> output)
    {
        var symbols = new Symbol[word.Length];
        for (int i = 0; i < word.Length; i++)
            symbols[i] = new Symbol { Id = merges.SymbolOf(word.AsSpan(i, 1)), Start = i, Length = 1, Prev = i - 1, Next = i + 1 < word.Length ? i + 1 : -1 };

        var queue = new PriorityQueue<Bigram, long>(symbols.Length);
        for (int i = 1; i < symbols.Length; i++)
            TryAddBigram(symbols, queue, i - 1, i);

        while (queue.TryDequeue(out var bigram, out _))
        {
            ref var left = ref symbols[bigram.Left];
            ref var right = ref symbols[bigram.Right];
            if (left.Length == 0 || right.Length == 0 || left.Id != bigram.LeftId || right.Id != bigram.RightId)
                continue; // outdated

            left.Id = bigram.Result;
            left.Length += right.Length;
            right.Length = 0;
            left.Next = right.Next;
            if (right.Next >= 0)
                symbols[right.Next].Prev = bigram.Left;

            TryAddBigram(symbols, queue, left.Prev, bigram.Left);
            TryAddBigram(symbols, queue, bigram.Left, left.Next);
        }

        for (int i = 0; i >= 0 && i < symbols.Length; i = symbols[i].Next)
            EmitSymbol(word.AsSpan(symbols[i].Start, symbols[i].Length), symbols[i].Id, output);
    }

    private void TryAddBigram(Symbol[] symbols, PriorityQueue<Bigram, long> queue, int left, int right)
    {
        if (left < 0 || right < 0)
            return;
        int leftId = symbols[left].Id, rightId = symbols[right].Id;
        if (merges.TryGetMerge(leftId, rightId, out int rank, out int result))
            // Rank first, then position: one long compare instead of a tuple compare (much faster on long words).
            queue.Enqueue(new Bigram(left, right, leftId, rightId, result), ((long)rank << 32) | (uint)left);
    }

    private void EmitSymbol(ReadOnlySpan<char> text, int symbolId, List<int> output)
    {
        int token = symbolId >= 0 ? merges.TokenOfSymbol[symbolId] : vocabulary.FindOrMinusOne(text);
        if (token >= 0)
        {
            output.Add(token);
            return;
        }
        // llama.cpp looks up each byte of the symbol's UTF-8 as a one-byte string: only ASCII can match.
        foreach (char c in text)
        {
            if (c < 0x80 && vocabulary.FindOrMinusOne([c]) is int id and >= 0)
                output.Add(id);
        }
    }
}
