namespace Wallfacer.Tokenizers;

/// <summary>A piece of the input: either raw text (a range of the input) or one special token.</summary>
internal readonly record struct Fragment(int Token, int Offset, int Length)
{
    public bool IsText => Token < 0;

    public static Fragment Text(int offset, int length) => new(-1, offset, length);

    public static Fragment Special(int token) => new(token, 0, 0);
}

/// <summary>
/// Finds special tokens written in the text before the tokenizer proper runs, as llama.cpp
/// src/llama-vocab.cpp tokenizer_st_partition: for each special token, longest text first, every
/// occurrence in every remaining raw fragment becomes that token. Control and unknown tokens are only
/// recognised when parsing special tokens; user-defined tokens always are. LeftStrip/RightStrip tokens
/// swallow ASCII whitespace next to them.
/// </summary>
internal static class SpecialTokenPartitioner
{
    public static List<Fragment> Partition(Vocabulary vocabulary, string text, bool parseSpecial)
    {
        var fragments = new List<Fragment>();
        if (text.Length == 0)
            return fragments;
        fragments.Add(Fragment.Text(0, text.Length));

        foreach (int id in vocabulary.SpecialTokensLongestFirst)
        {
            var attributes = vocabulary.GetAttributes(id);
            if (!parseSpecial && (attributes & (TokenAttributes.Control | TokenAttributes.Unknown)) != 0)
                continue;
            string special = vocabulary.GetText(id);
            if (!fragments.Exists(f => f.IsText && text.AsSpan(f.Offset, f.Length).Contains(special, StringComparison.Ordinal)))
                continue;

            var next = new List<Fragment>(fragments.Count + 4);
            foreach (var fragment in fragments)
            {
                if (fragment.IsText)
                    SplitFragment(text, fragment, id, special, attributes, next);
                else
                    next.Add(fragment);
            }
            fragments = next;
        }
        return fragments;
    }

    private static void SplitFragment(string text, Fragment fragment, int id, string special, TokenAttributes attributes, List<Fragment> output)
    {
        int offset = fragment.Offset;
        int end = fragment.Offset + fragment.Length;
        while (offset < end)
        {
            int match = text.AsSpan(offset, end - offset).IndexOf(special, StringComparison.Ordinal);
            if (match < 0)
                break;
            match += offset;

            int leftLength = match - offset;
            if ((attributes & TokenAttributes.LeftStrip) != 0)
            {
                while (leftLength > 0 && IsAsciiSpace(text[offset + leftLength - 1]))
                    leftLength--;
            }
            if (leftLength > 0)
                output.Add(Fragment.Text(offset, leftLength));
            output.Add(Fragment.Special(id));

            offset = match + special.Length;
            if ((attributes & TokenAttributes.RightStrip) != 0)
            {
                while (offset < end && IsAsciiSpace(text[offset]))
                    offset++;
            }
        }
        if (offset < end)
            output.Add(Fragment.Text(offset, end - offset));
    }

    /// <summary>C isspace in the "C" locale.</summary>
    private static bool IsAsciiSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';
}
