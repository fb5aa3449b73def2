namespace Wallfacer.Tokenizers.PreTokenizers;

/// <summary>
/// The GPT-2 regex <c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)</c>, hand-written
/// as in llama.cpp src/unicode.cpp (unicode_regex_split_custom_gpt2), whose behaviour it reproduces —
/// including that an unmatched codepoint becomes a piece of its own.
/// </summary>
internal sealed class Gpt2Splitter : ISplitStep
{
    public void Split(ReadOnlySpan<int> codepoints, List<int> chunkLengths, List<int> result)
    {
        int start = 0;
        foreach (int length in chunkLengths)
        {
            var c = new ChunkCursor(codepoints, start, start + length, result);
            SplitChunk(ref c);
            start += length;
        }
    }

    private static void SplitChunk(ref ChunkCursor c)
    {
        for (int pos = c.Start; pos < c.End;)
        {
            int cpt = c.Cpt(pos);
            if (cpt == '\'' && pos + 1 < c.End)
            {
                int next = c.Cpt(pos + 1);
                if (next is 's' or 't' or 'm' or 'd')
                {
                    pos += c.AddToken(pos + 2);
                    continue;
                }
                if (pos + 2 < c.End)
                {
                    int nextNext = c.Cpt(pos + 2);
                    if ((next == 'r' && nextNext == 'e') || (next == 'v' && nextNext == 'e') || (next == 'l' && nextNext == 'l'))
                    {
                        pos += c.AddToken(pos + 3);
                        continue;
                    }
                }
            }

            // " ?X+" for X in letters, numbers, others: the optional space is decided by the codepoint after it.
            int probe = cpt == ' ' ? pos + 1 : pos;
            if (c.IsLetter(probe) || c.IsNumber(probe) || c.IsOther(probe))
            {
                var kind = c.IsLetter(probe) ? RunKind.Letter : c.IsNumber(probe) ? RunKind.Number : RunKind.Other;
                pos = RunEnd(ref c, probe, kind);
                c.AddToken(pos);
                continue;
            }

            int whitespace = 0;
            while (c.IsWhitespace(pos + whitespace))
                whitespace++;

            if (whitespace > 1 && c.Cpt(pos + whitespace) != ChunkCursor.OutOfRange)
            {
                pos += whitespace - 1; // \s+(?!\S): leave the last space to the next word
                c.AddToken(pos);
                continue;
            }
            if (whitespace > 0)
            {
                pos += whitespace;
                c.AddToken(pos);
                continue;
            }
            c.AddToken(++pos); // no match: a piece of its own
        }
    }

    private enum RunKind { Letter, Number, Other }

    private static int RunEnd(ref ChunkCursor c, int pos, RunKind kind)
    {
        while (kind switch { RunKind.Letter => c.IsLetter(pos), RunKind.Number => c.IsNumber(pos), _ => c.IsOther(pos) })
            pos++;
        return pos;
    }
}
