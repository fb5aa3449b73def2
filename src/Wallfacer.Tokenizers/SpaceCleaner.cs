namespace Wallfacer.Tokenizers;

/// <summary>
/// clean_up_tokenization_spaces as llama.cpp applies it when detokenizing (src/llama-vocab.cpp,
/// llama_vocab::impl::detokenize): three passes over the bytes, in place. Kept byte-exact, quirks
/// included (the second pass leaves a NUL where it dropped a space, which later passes then see).
/// </summary>
internal static class SpaceCleaner
{
    /// <summary>Cleans <paramref name="text"/> in place; returns the new length.</summary>
    public static int Clean(Span<byte> text)
    {
        int total = RemoveSpaceBeforePunctuation(text, text.Length);
        total = RemoveSpacesAroundLoneApostrophe(text, total);
        return RemoveSpaceBeforeContractions(text, total);
    }

    // " ?", " !", " .", " ," lose the space.
    private static int RemoveSpaceBeforePunctuation(Span<byte> text, int length)
    {
        int total = length > 0 ? 1 : 0;
        for (int i = 1; i < length; i++)
        {
            byte x = text[i];
            if (text[i - 1] == ' ' && x is (byte)'?' or (byte)'!' or (byte)'.' or (byte)',')
                total--;
            text[total++] = x;
        }
        return total;
    }

    // " ' " becomes "'".
    private static int RemoveSpacesAroundLoneApostrophe(Span<byte> text, int length)
    {
        int total = length > 0 ? 1 : 0;
        for (int i = 1; i < length; i++)
        {
            byte x = text[i];
            if (x == '\'' && i + 1 < length && text[i - 1] == ' ' && text[i + 1] == ' ')
            {
                total--;
                text[++i] = 0;
            }
            text[total++] = x;
        }
        return total;
    }

    // " 's", " 'm", " 're", " 've" lose the space (" 't", " 'd", " 'll" keep it).
    private static int RemoveSpaceBeforeContractions(Span<byte> text, int length)
    {
        int total = length > 0 ? 1 : 0;
        for (int i = 1; i < length; i++)
        {
            byte x = text[i];
            if (text[i - 1] == ' ' && x == '\'' && i + 1 < length)
            {
                byte x1 = text[i + 1];
                if (x1 is (byte)'s' or (byte)'m')
                    total--;
                else if (x1 is not ((byte)'t' or (byte)'d') && i + 2 < length)
                {
                    byte x2 = text[i + 2];
                    if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e'))
                        total--;
                }
            }
            text[total++] = x;
        }
        return total;
    }
}
