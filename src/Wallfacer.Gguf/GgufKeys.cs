namespace Wallfacer.Gguf;

/// <summary>
/// Every GGUF metadata key Wallfacer uses, in one place (design.md: keys appear only as constants).
/// Strings are llama.cpp's, from src/llama-arch.cpp (LLM_KV_NAMES) and gguf-py/gguf/constants.py.
/// Per-architecture keys are <c>&lt;arch&gt;.&lt;name&gt;</c> and are built by the methods in
/// <c>GgufKeys.Architecture.cs</c>.
/// </summary>
public static partial class GgufKeys
{
    // general.*
    public const string GeneralType = "general.type";
    public const string GeneralArchitecture = "general.architecture";
    public const string GeneralQuantizationVersion = "general.quantization_version";
    public const string GeneralAlignment = "general.alignment";
    public const string GeneralFileType = "general.file_type";
    public const string GeneralName = "general.name";
    public const string GeneralAuthor = "general.author";
    public const string GeneralVersion = "general.version";
    public const string GeneralUrl = "general.url";
    public const string GeneralDescription = "general.description";
    public const string GeneralLicense = "general.license";
    public const string GeneralSourceUrl = "general.source.url";
    public const string GeneralSourceHuggingFaceRepository = "general.source.huggingface.repository";
    public const string GeneralSizeLabel = "general.size_label";
    public const string GeneralBaseModelCount = "general.base_model.count";

    // general.sampling.* (recommended sampler settings shipped with a model)
    public const string GeneralSamplingSequence = "general.sampling.sequence";
    public const string GeneralSamplingTopK = "general.sampling.top_k";
    public const string GeneralSamplingTopP = "general.sampling.top_p";
    public const string GeneralSamplingMinP = "general.sampling.min_p";
    public const string GeneralSamplingTemperature = "general.sampling.temp";
    public const string GeneralSamplingPenaltyLastN = "general.sampling.penalty_last_n";
    public const string GeneralSamplingPenaltyRepeat = "general.sampling.penalty_repeat";

    // split.* (multi-file models)
    public const string SplitNumber = "split.no";
    public const string SplitCount = "split.count";
    public const string SplitTensorsCount = "split.tensors.count";

    // tokenizer.*
    public const string TokenizerModel = "tokenizer.ggml.model";
    public const string TokenizerPre = "tokenizer.ggml.pre";
    public const string TokenizerTokens = "tokenizer.ggml.tokens";
    public const string TokenizerTokenType = "tokenizer.ggml.token_type";
    public const string TokenizerTokenTypeCount = "tokenizer.ggml.token_type_count";
    public const string TokenizerScores = "tokenizer.ggml.scores";
    public const string TokenizerMerges = "tokenizer.ggml.merges";
    public const string TokenizerBosId = "tokenizer.ggml.bos_token_id";
    public const string TokenizerEosId = "tokenizer.ggml.eos_token_id";
    public const string TokenizerEotId = "tokenizer.ggml.eot_token_id";
    public const string TokenizerEomId = "tokenizer.ggml.eom_token_id";
    public const string TokenizerUnknownId = "tokenizer.ggml.unknown_token_id";
    /// <summary>Spelled "seperator" in the format (llama-arch.cpp), not a typo of ours.</summary>
    public const string TokenizerSeparatorId = "tokenizer.ggml.seperator_token_id";
    public const string TokenizerPaddingId = "tokenizer.ggml.padding_token_id";
    public const string TokenizerClsId = "tokenizer.ggml.cls_token_id";
    public const string TokenizerMaskId = "tokenizer.ggml.mask_token_id";
    public const string TokenizerAddBos = "tokenizer.ggml.add_bos_token";
    public const string TokenizerAddEos = "tokenizer.ggml.add_eos_token";
    public const string TokenizerAddSep = "tokenizer.ggml.add_sep_token";
    public const string TokenizerAddSpacePrefix = "tokenizer.ggml.add_space_prefix";
    public const string TokenizerRemoveExtraWhitespaces = "tokenizer.ggml.remove_extra_whitespaces";
    public const string TokenizerPrecompiledCharsmap = "tokenizer.ggml.precompiled_charsmap";
    public const string TokenizerHuggingFaceJson = "tokenizer.huggingface.json";
    public const string TokenizerRwkvWorld = "tokenizer.rwkv.world";
    public const string TokenizerChatTemplate = "tokenizer.chat_template";
    /// <summary>Prefix of named chat templates: <c>tokenizer.chat_template.&lt;name&gt;</c>.</summary>
    public const string TokenizerChatTemplatePrefix = "tokenizer.chat_template.";
    public const string TokenizerChatTemplates = "tokenizer.chat_templates";
    public const string TokenizerNormalizerLowercase = "tokenizer.ggml.normalizer.lowercase";
    public const string TokenizerNormalizerStripAccents = "tokenizer.ggml.normalizer.strip_accents";
    public const string TokenizerFimPreId = "tokenizer.ggml.fim_pre_token_id";
    public const string TokenizerFimSufId = "tokenizer.ggml.fim_suf_token_id";
    public const string TokenizerFimMidId = "tokenizer.ggml.fim_mid_token_id";
    public const string TokenizerFimPadId = "tokenizer.ggml.fim_pad_token_id";
    public const string TokenizerFimRepId = "tokenizer.ggml.fim_rep_token_id";
    public const string TokenizerFimSepId = "tokenizer.ggml.fim_sep_token_id";
    /// <summary>Older spelling of the FIM ids, still found in files (llama-arch.cpp, "deprecated").</summary>
    public const string TokenizerPrefixId = "tokenizer.ggml.prefix_token_id";
    public const string TokenizerSuffixId = "tokenizer.ggml.suffix_token_id";
    public const string TokenizerMiddleId = "tokenizer.ggml.middle_token_id";

    // adapter.* (LoRA files)
    public const string AdapterType = "adapter.type";
    public const string AdapterLoraAlpha = "adapter.lora.alpha";

    /// <summary>Builds the chat-template key for a named template, e.g. <c>tokenizer.chat_template.tool_use</c>.</summary>
    public static string TokenizerChatTemplateNamed(string name) => TokenizerChatTemplatePrefix + name;
}
