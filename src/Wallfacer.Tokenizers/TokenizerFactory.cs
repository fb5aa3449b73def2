using Wallfacer.Gguf;
using Wallfacer.Tokenizers.Bpe;
using Wallfacer.Tokenizers.PreTokenizers;
using Wallfacer.Tokenizers.SentencePiece;

namespace Wallfacer.Tokenizers;

/// <summary>Builds the tokenizer a GGUF file describes.</summary>
public static class TokenizerFactory
{
    /// <summary>Model names (<c>tokenizer.ggml.model</c>) this library implements.</summary>
    public static IReadOnlyList<string> SupportedModels { get; } = ["llama", "gpt2"];

    /// <summary>Pre-tokenizer names (<c>tokenizer.ggml.pre</c>) accepted for "gpt2" vocabularies.</summary>
    public static IReadOnlyCollection<string> SupportedPreTokenizers => PreTokenizerRegistry.SupportedNames;

    /// <summary>
    /// The tokenizer of a GGUF file: "llama" → SentencePiece, "gpt2" → byte-level BPE with the
    /// pre-tokenizer named by <c>tokenizer.ggml.pre</c>.
    /// </summary>
    /// <exception cref="NotSupportedException">The model or pre-tokenizer is not one of ours (the message names it).</exception>
    /// <exception cref="InvalidDataException">Tokenizer metadata is missing or inconsistent.</exception>
    public static ITokenizer FromGguf(GgufMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return Create(ReadSource(metadata));
    }

    /// <summary>A tokenizer from plain data (for synthetic vocabularies and tests).</summary>
    public static ITokenizer Create(TokenizerSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        switch (source.Model)
        {
            case "llama":
                return new SpmTokenizer(VocabularyLoader.Load(source, TokenizerKind.SentencePiece, pre: null));
            case "gpt2":
                var pre = PreTokenizerRegistry.Resolve(source.Pre);
                var vocabulary = VocabularyLoader.Load(source, TokenizerKind.BytePairEncoding, pre);
                var merges = source.Merges ?? throw new InvalidDataException(
                    "A gpt2 (BPE) vocabulary needs merges, but tokenizer.ggml.merges is missing.");
                return new BpeTokenizer(vocabulary, pre, merges);
            default:
                throw new NotSupportedException(
                    $"Unsupported tokenizer model '{source.Model}' (GGUF key tokenizer.ggml.model). Supported: {string.Join(", ", SupportedModels)}.");
        }
    }

    /// <summary>Reads the <c>tokenizer.ggml.*</c> keys into a <see cref="TokenizerSource"/>.</summary>
    public static TokenizerSource ReadSource(GgufMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        string model = metadata.GetStringOrNull(GgufKeys.TokenizerModel)
            ?? throw new InvalidDataException($"The file has no tokenizer: key {GgufKeys.TokenizerModel} is missing.");
        var tokens = metadata.GetStringArrayOrNull(GgufKeys.TokenizerTokens)
            ?? throw new InvalidDataException($"The file has no vocabulary: key {GgufKeys.TokenizerTokens} is missing.");
        return new TokenizerSource
        {
            Model = model,
            Pre = metadata.GetStringOrNull(GgufKeys.TokenizerPre),
            Tokens = tokens,
            Scores = metadata.GetSingleArrayOrNull(GgufKeys.TokenizerScores),
            TokenTypes = metadata.GetInt32ArrayOrNull(GgufKeys.TokenizerTokenType),
            Merges = metadata.GetStringArrayOrNull(GgufKeys.TokenizerMerges),
            BosId = Id(metadata, GgufKeys.TokenizerBosId),
            EosId = Id(metadata, GgufKeys.TokenizerEosId),
            EotId = Id(metadata, GgufKeys.TokenizerEotId),
            EomId = Id(metadata, GgufKeys.TokenizerEomId),
            UnknownId = Id(metadata, GgufKeys.TokenizerUnknownId),
            SeparatorId = Id(metadata, GgufKeys.TokenizerSeparatorId),
            PaddingId = Id(metadata, GgufKeys.TokenizerPaddingId),
            MaskId = Id(metadata, GgufKeys.TokenizerMaskId),
            // The deprecated prefix/suffix/middle keys are read after the fim_* ones in llama.cpp, so they win.
            FimPrefixId = Id(metadata, GgufKeys.TokenizerPrefixId) ?? Id(metadata, GgufKeys.TokenizerFimPreId),
            FimSuffixId = Id(metadata, GgufKeys.TokenizerSuffixId) ?? Id(metadata, GgufKeys.TokenizerFimSufId),
            FimMiddleId = Id(metadata, GgufKeys.TokenizerMiddleId) ?? Id(metadata, GgufKeys.TokenizerFimMidId),
            FimPadId = Id(metadata, GgufKeys.TokenizerFimPadId),
            FimRepoId = Id(metadata, GgufKeys.TokenizerFimRepId),
            FimSeparatorId = Id(metadata, GgufKeys.TokenizerFimSepId),
            AddBos = Bool(metadata, GgufKeys.TokenizerAddBos),
            AddEos = Bool(metadata, GgufKeys.TokenizerAddEos),
            AddSpacePrefix = Bool(metadata, GgufKeys.TokenizerAddSpacePrefix),
            ModelName = metadata.GetStringOrNull(GgufKeys.GeneralName),
            Architecture = metadata.GetStringOrNull(GgufKeys.GeneralArchitecture),
        };
    }

    /// <summary>A token id key; values outside 0..int.MaxValue count as absent (llama.cpp ignores out-of-range ids).</summary>
    private static int? Id(GgufMetadata metadata, string key)
    {
        if (!metadata.Contains(key))
            return null;
        long value = metadata.GetInt64(key);
        return value is >= 0 and <= int.MaxValue ? (int)value : null;
    }

    private static bool? Bool(GgufMetadata metadata, string key) => metadata.Contains(key) ? metadata.GetBool(key) : null;
}
