namespace Wallfacer.Tokenizers.PreTokenizers;

/// <summary>
/// The pre-tokenizer regexes, one constant per llama.cpp pre-type, quoted exactly as in
/// llama.cpp src/llama-vocab.cpp (llm_tokenizer_bpe constructor). Regexes are applied in order; each
/// splits the pieces the previous one produced (unicode_regex_split in src/unicode.cpp).
/// The GPT-2, Llama-3 and Qwen2 regexes are run by hand-written splitters (as llama.cpp does), the
/// others by <see cref="RegexSplitStep"/> on llama.cpp's "collapsed" text.
/// </summary>
internal static class PreTokenizerPatterns
{
    /// <summary>GPT-2 (also the second regex of several others).</summary>
    public const string Gpt2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";

    /// <summary>
    /// Llama 3. Original in tokenizer.json:
    /// "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
    /// </summary>
    public const string Llama3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /// <summary>Qwen2 (Llama 3 with single digits). Original: "(?i:'s|'t|...)|...|\\p{N}| ?...".</summary>
    public const string Qwen2 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /// <summary>Default (no or unknown-but-"default" pre-tokenizer).</summary>
    public static readonly string[] Default =
    [
        "[\\p{P}\\$\\+<=>\\^~\\|]+",
        Gpt2,
        "\\p{N}+",
        "[0-9][0-9][0-9]",
    ];

    public static readonly string[] Llama3Family = [Llama3];

    // Non-ASCII characters are written as escapes: editors may NFC-normalise literals (e.g. U+1F7D → U+03CE), which would change the regex.
    public static readonly string[] DeepseekLlm =
    [
        "[\r\n]",
        "\\s?[A-Za-z\u00B5\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u01BA\u01BC-\u01BF\u01C4-\u0293\u0295-\u02AF\u0370-\u0373\u0376\u0377\u037B-\u037D\u037F\u0386\u0388-\u038A\u038C\u038E-\u03A1\u03A3-\u03F5\u03F7-\u0481\u048A-\u052F\u0531-\u0556\u10A0-\u10C5\u13A0-\u13F5\u13F8-\u13FD\u1C90-\u1CBA\u1CBD-\u1CBF\u1D00-\u1D2B\u1D6B-\u1D77\u1D79-\u1D9A\u1E00-\u1F15\u1F18-\u1F1D\u1F20-\u1F45\u1F48-\u1F4D\u1F50-\u1F57\u1F59\u1F5B\u1F5D\u1F5F-\u1F7D\u1F80-\u1FB4\u1FB6-\u1FBC\u1FBE\u1FC2-\u1FC4\u1FC6-\u1FCC\u1FD0-\u1FD3\u1FD6-\u1FDB\u1FE0-\u1FEC\u1FF2-\u1FF4\u1FF6-\u1FFC\u2102\u2107\u210A-\u2113\u2115\u2119-\u211D\u2124\u2126\u2128\u212A-\u212D\u212F-\u2134\u2139\u213C-\u213F\u2145-\u2149\u214E\u2183\u2184\u2C00-\u2C7B\u2C7E-\u2CE4\u2CEB-\u2CEE\u2CF2\u2CF3\uA640-\uA66D\uA680-\uA69B\uA722-\uA76F\uA771-\uA787\uA78B-\uA78E\uAB70-\uABBF\uFB00-\uFB06\uFB13-\uFB17\uFF21-\uFF3A\uFF41-\uFF5A\U00010400-\U0001044F\U000104B0-\U000104D3\U000104D8-\U000104FB\U00010C80-\U00010CB2\U00010CC0-\U00010CF2\U000118A0-\U000118DF\U0001E900-\U0001E943]+",
        "\\s?[!-/:-~\uFF01-\uFF0F\uFF1A-\uFF5E\u2018-\u201F\u3000-\u3002]+",
        "\\s+$",
        "[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+",
        "\\p{N}+",
    ];

    public static readonly string[] DeepseekCoder =
    [
        "[\r\n]",
        "\\s?\\p{L}+",
        "\\s?\\p{P}+",
        "[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+",
        "\\p{N}",
    ];

    public static readonly string[] Falcon =
    [
        "[\\p{P}\\$\\+<=>\\^~\\|`]+",
        Gpt2,
        "[0-9][0-9][0-9]",
    ];

    /// <summary>starcoder, refact, command-r, smollm, codeshell, exaone, minerva, mellum2.</summary>
    public static readonly string[] Starcoder = ["\\p{N}", Gpt2];

    /// <summary>gpt-2, mpt, olmo, jais, trillion, granite-docling.</summary>
    public static readonly string[] Gpt2Family = [Gpt2];

    /// <summary>stablelm2, qwen2, hunyuan, solar-open.</summary>
    public static readonly string[] Qwen2Family = [Qwen2];

    /// <summary>poro, bloom, gpt3-finnish.</summary>
    public static readonly string[] Bloom = [" ?[^(\\s|.,!?\u2026\u3002\uFF0C\u3001\u0964\u06D4\u060C)]+"];

    public static readonly string[] Viking = [" ?[^(\\s|.,!?\u2026\u3002\uFF0C\u3001\u0964\u06D4\u060C)]+", "\\p{N}"];

    /// <summary>chatglm4 (same text as Llama 3).</summary>
    public static readonly string[] ChatGlm4 = [Llama3];

    /// <summary>
    /// seed-coder. Original: "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1}| ?[^\\s\\p{L}\\p{N}\r\n]+|\\s*[\r\n]+|\\s+(?!\\S)|\\s+"
    /// </summary>
    public static readonly string[] SeedCoder =
    [
        "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1}| ?[^\\s\\p{L}\\p{N}\\r\\n]+|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
    ];

    /// <summary>minicpm5. Original second regex: "(?i:'s|...)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}+| ?...".</summary>
    public static readonly string[] MiniCpm5 =
    [
        "\\p{N}{1,3}",
        "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}+| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
    ];
}
