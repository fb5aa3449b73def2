using Wallfacer.Tokenizers.PreTokenizers;

namespace Wallfacer.Tokenizers;

/// <summary>
/// Builds a <see cref="Vocabulary"/> from <see cref="TokenizerSource"/> following llama.cpp
/// src/llama-vocab.cpp llama_vocab::impl::load: model-type defaults, GGUF overrides, then the special
/// tokens recognised by their text (<see cref="SpecialTokenRules"/>).
/// </summary>
internal static class VocabularyLoader
{
    public static Vocabulary Load(TokenizerSource source, TokenizerKind kind, PreTokenizerSpec? pre)
    {
        var texts = ReadTexts(source.Tokens);
        int n = texts.Length;
        var attributes = ReadAttributes(source.TokenTypes, n);
        var scores = ReadScores(source.Scores, n);
        var idByText = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
            idByText[texts[i]] = i; // llama.cpp: token_to_id[word] = i, the last duplicate wins

        var ids = DefaultIds(kind, pre, n);
        ApplyIdOverrides(ids, source, n);
        var options = Options(kind, pre, source);

        var rules = new SpecialTokenRules(texts, attributes);
        rules.DetectByText(ids);
        rules.MarkUnused();
        var endOfGeneration = rules.EndOfGeneration(ids);
        rules.ApplyModelSpecificAttributes(source.ModelName, source.Pre, source.Architecture, idByText);
        return new Vocabulary(kind, texts, attributes, scores, idByText, ids, options, endOfGeneration);
    }

    private static string[] ReadTexts(IReadOnlyList<string> tokens)
    {
        if (tokens.Count == 0)
            throw new InvalidDataException("The vocabulary is empty (tokenizer.ggml.tokens has no entries).");
        var texts = new string[tokens.Count];
        for (int i = 0; i < texts.Length; i++)
            texts[i] = string.IsNullOrEmpty(tokens[i]) ? $"[EMPTY_{i}]" : tokens[i];
        return texts;
    }

    private static TokenAttributes[] ReadAttributes(IReadOnlyList<int>? types, int count)
    {
        if (types != null && types.Count < count)
            throw new InvalidDataException($"tokenizer.ggml.token_type has {types.Count} entries for {count} tokens.");
        var attributes = new TokenAttributes[count];
        for (int i = 0; i < count; i++)
        {
            attributes[i] = types == null ? TokenAttributes.Normal : (TokenType)types[i] switch
            {
                TokenType.Unknown => TokenAttributes.Unknown,
                TokenType.Unused => TokenAttributes.Unused,
                TokenType.Normal => TokenAttributes.Normal,
                TokenType.Control => TokenAttributes.Control,
                TokenType.UserDefined => TokenAttributes.UserDefined,
                TokenType.Byte => TokenAttributes.Byte,
                _ => TokenAttributes.Undefined,
            };
        }
        return attributes;
    }

    private static float[] ReadScores(IReadOnlyList<float>? scores, int count)
    {
        if (scores == null)
            return new float[count];
        if (scores.Count < count)
            throw new InvalidDataException($"tokenizer.ggml.scores has {scores.Count} entries for {count} tokens.");
        var result = new float[count];
        for (int i = 0; i < count; i++)
            result[i] = scores[i];
        return result;
    }

    private static SpecialTokenIds DefaultIds(TokenizerKind kind, PreTokenizerSpec? pre, int count)
    {
        var ids = kind == TokenizerKind.SentencePiece
            ? new SpecialTokenIds { Bos = 1, Eos = 2, Unknown = 0 }
            : new SpecialTokenIds { Bos = pre?.NoDefaultBos == true ? null : 11, Eos = 11 };
        // A default outside the vocabulary is disabled.
        if (ids.Bos >= count) ids.Bos = null;
        if (ids.Eos >= count) ids.Eos = null;
        if (ids.Unknown >= count) ids.Unknown = null;
        return ids;
    }

    private static void ApplyIdOverrides(SpecialTokenIds ids, TokenizerSource s, int count)
    {
        // An id from the file replaces the default only when it is inside the vocabulary.
        static int? Pick(int? fromFile, int? current, int count) =>
            fromFile is int id && id >= 0 && id < count ? id : current;
        ids.Bos = Pick(s.BosId, ids.Bos, count);
        ids.Eos = Pick(s.EosId, ids.Eos, count);
        ids.Eot = Pick(s.EotId, ids.Eot, count);
        ids.Eom = Pick(s.EomId, ids.Eom, count);
        ids.Unknown = Pick(s.UnknownId, ids.Unknown, count);
        ids.Separator = Pick(s.SeparatorId, ids.Separator, count);
        ids.Padding = Pick(s.PaddingId, ids.Padding, count);
        ids.Mask = Pick(s.MaskId, ids.Mask, count);
        ids.FimPrefix = Pick(s.FimPrefixId, ids.FimPrefix, count);
        ids.FimSuffix = Pick(s.FimSuffixId, ids.FimSuffix, count);
        ids.FimMiddle = Pick(s.FimMiddleId, ids.FimMiddle, count);
        ids.FimPad = Pick(s.FimPadId, ids.FimPad, count);
        ids.FimRepo = Pick(s.FimRepoId, ids.FimRepo, count);
        ids.FimSeparator = Pick(s.FimSeparatorId, ids.FimSeparator, count);
    }

    private static VocabularyOptions Options(TokenizerKind kind, PreTokenizerSpec? pre, TokenizerSource s)
    {
        bool spm = kind == TokenizerKind.SentencePiece;
        return new VocabularyOptions
        {
            AddBos = s.AddBos ?? (spm || pre?.DefaultAddBos == true),
            AddEos = s.AddEos ?? false,
            AddSpacePrefix = s.AddSpacePrefix ?? spm,
            CleanSpaces = !spm && pre?.CleanSpaces != false,
            IgnoreMerges = !spm && pre?.IgnoreMerges == true,
        };
    }
}
