namespace Wallfacer.Tokenizers.PreTokenizers;

/// <summary>
/// The Llama 3 regex <c>(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+</c>
/// and Qwen2's variant (<c>\p{N}</c> instead of <c>\p{N}{1,3}</c>), hand-written as in llama.cpp
/// src/unicode.cpp (unicode_regex_split_custom_llama3 / _qwen2), quirks included.
/// </summary>
internal sealed class Llama3Splitter(int maxDigits) : ISplitStep
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

    private void SplitChunk(ref ChunkCursor c)
    {
        for (int pos = c.Start; pos < c.End;)
        {
            int cpt = c.Cpt(pos);
            if (TryContraction(ref c, pos, out int contractionEnd))
            {
                pos += c.AddToken(contractionEnd);
                continue;
            }

            // [^\r\n\p{L}\p{N}]?\p{L}+
            if (!(cpt == '\r' || cpt == '\n' || c.IsNumber(pos)) && (c.IsLetter(pos) || c.IsLetter(pos + 1)))
            {
                pos++;
                while (c.IsLetter(pos))
                    pos++;
                c.AddToken(pos);
                continue;
            }

            // \p{N}{1,maxDigits}
            if (c.IsNumber(pos))
            {
                int groupStart = pos;
                while (c.IsNumber(pos))
                {
                    if (++pos - groupStart >= maxDigits)
                    {
                        c.AddToken(pos);
                        groupStart = pos;
                    }
                }
                c.AddToken(pos);
                continue;
            }

            // " ?[^\s\p{L}\p{N}]+[\r\n]*". llama.cpp tests the category of the first codepoint (not the
            // probed one) for "defined", so a lone trailing space also lands here; the outcome is the same.
            int probe = cpt == ' ' ? pos + 1 : pos;
            if (!(c.IsWhitespace(probe) || c.IsLetter(probe) || c.IsNumber(probe)) && c.Flags(pos) != Unicode.CategoryFlags.None)
            {
                pos = probe;
                while (c.IsOther(pos))
                    pos++;
                while (c.Cpt(pos) is '\r' or '\n')
                    pos++;
                c.AddToken(pos);
                continue;
            }

            pos = SplitWhitespace(ref c, pos);
        }
    }

    private static bool TryContraction(ref ChunkCursor c, int pos, out int end)
    {
        end = 0;
        if (c.Cpt(pos) != '\'' || pos + 1 >= c.End)
            return false;
        // unicode_tolower: only ASCII letters lower-case to s, t, m, d, r, e, v, l.
        int next = LowerAscii(c.Cpt(pos + 1));
        if (next is 's' or 't' or 'm' or 'd')
        {
            end = pos + 2;
            return true;
        }
        if (pos + 2 >= c.End)
            return false;
        int nextNext = LowerAscii(c.Cpt(pos + 2));
        if ((next == 'r' && nextNext == 'e') || (next == 'v' && nextNext == 'e') || (next == 'l' && nextNext == 'l'))
        {
            end = pos + 3;
            return true;
        }
        return false;
    }

    private static int LowerAscii(int cpt) => cpt is >= 'A' and <= 'Z' ? cpt + 32 : cpt;

    /// <summary>\s*[\r\n]+ | \s+(?!\S) | \s+ | a single unmatched codepoint. Returns the new position.</summary>
    private static int SplitWhitespace(ref ChunkCursor c, int pos)
    {
        int count = 0;
        int lastLineBreakEnd = 0;
        while (c.IsWhitespace(pos + count))
        {
            if (c.Cpt(pos + count) is '\r' or '\n')
                lastLineBreakEnd = pos + count + 1;
            count++;
        }

        if (lastLineBreakEnd > 0)
            pos = lastLineBreakEnd;
        else if (count > 1 && c.Cpt(pos + count) != ChunkCursor.OutOfRange)
            pos += count - 1;
        else if (count > 0)
            pos += count;
        else
            pos++;
        c.AddToken(pos);
        return pos;
    }
}
