namespace Wallfacer.Tokenizers.PreTokenizers;

/// <summary>What a <c>tokenizer.ggml.pre</c> name means: regexes plus the switches llama.cpp ties to it.</summary>
/// <param name="Name">The pre-tokenizer name as found in the file.</param>
/// <param name="Patterns">Regexes applied in order (see <see cref="PreTokenizerPatterns"/>).</param>
/// <param name="CleanSpaces">Decoding applies clean_up_tokenization_spaces.</param>
/// <param name="IgnoreMerges">A word that is already a token is emitted whole.</param>
/// <param name="DefaultAddBos">add_bos before the GGUF key overrides it.</param>
/// <param name="NoDefaultBos">The default BOS id is cleared (chatglm).</param>
internal sealed record PreTokenizerSpec(string Name, string[] Patterns, bool CleanSpaces = true,
    bool IgnoreMerges = false, bool DefaultAddBos = false, bool NoDefaultBos = false);

/// <summary>
/// The table of supported pre-tokenizer names, transcribed from llama.cpp src/llama-vocab.cpp
/// (llama_vocab::impl::load, the tokenizer_pre chain). Names not listed are rejected.
/// </summary>
internal static class PreTokenizerRegistry
{
    private static readonly Dictionary<string, PreTokenizerSpec> Specs = Build();

    /// <summary>Names this library accepts.</summary>
    public static IReadOnlyCollection<string> SupportedNames => Specs.Keys;

    public static PreTokenizerSpec Resolve(string? name)
    {
        if (string.IsNullOrEmpty(name))
            return Specs["default"];
        if (Specs.TryGetValue(name, out var spec))
            return spec;
        throw new NotSupportedException(
            $"Unsupported BPE pre-tokenizer '{name}' (GGUF key tokenizer.ggml.pre). Supported: {string.Join(", ", Specs.Keys.Order())}.");
    }

    private static Dictionary<string, PreTokenizerSpec> Build()
    {
        var d = new Dictionary<string, PreTokenizerSpec>(StringComparer.Ordinal);
        void Add(PreTokenizerSpec template, params string[] names)
        {
            foreach (string n in names)
                d[n] = template with { Name = n };
        }

        var P = PreTokenizerPatterns.Default;
        Add(new("", P), "default");
        Add(new("", PreTokenizerPatterns.Llama3Family, IgnoreMerges: true, DefaultAddBos: true),
            "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano");
        Add(new("", PreTokenizerPatterns.Llama3Family), "dbrx", "smaug-bpe");
        Add(new("", PreTokenizerPatterns.DeepseekLlm, CleanSpaces: false), "deepseek-llm");
        Add(new("", PreTokenizerPatterns.DeepseekCoder, CleanSpaces: false), "deepseek-coder");
        Add(new("", PreTokenizerPatterns.Falcon), "falcon");
        Add(new("", PreTokenizerPatterns.Starcoder), "starcoder", "refact", "codeshell", "exaone", "minerva-7b", "mellum2");
        Add(new("", PreTokenizerPatterns.Starcoder, CleanSpaces: false), "command-r", "smollm");
        Add(new("", PreTokenizerPatterns.Gpt2Family), "mpt", "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es",
            "jina-v2-de", "a.x-4.0", "mellum", "modern-bert", "jina-v1-en", "jina-v2-code", "roberta-bpe", "olmo", "jais", "exaone4");
        Add(new("", PreTokenizerPatterns.Gpt2Family, CleanSpaces: false), "trillion", "granite-docling");
        Add(new("", PreTokenizerPatterns.Qwen2Family, CleanSpaces: false),
            "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open");
        Add(new("", PreTokenizerPatterns.Qwen2Family), "stablelm2", "megrez");
        Add(new("", PreTokenizerPatterns.Bloom, CleanSpaces: false), "poro-chat");
        Add(new("", PreTokenizerPatterns.Bloom), "bloom", "gpt3-finnish");
        Add(new("", PreTokenizerPatterns.Viking, CleanSpaces: false), "viking");
        Add(new("", PreTokenizerPatterns.ChatGlm4, NoDefaultBos: true), "glm4", "chatglm-bpe");
        Add(new("", PreTokenizerPatterns.SeedCoder, CleanSpaces: false), "seed-coder");
        Add(new("", PreTokenizerPatterns.MiniCpm5, IgnoreMerges: true), "minicpm5");
        return d;
    }
}
