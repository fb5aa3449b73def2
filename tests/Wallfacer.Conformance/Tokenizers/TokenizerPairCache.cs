using System.Collections.Concurrent;
using Wallfacer.Conformance.Reference;
using Wallfacer.Gguf;
using Wallfacer.TestSupport;
using Wallfacer.Tokenizers;

namespace Wallfacer.Conformance.Tokenizers;

/// <summary>
/// The vocabularies compared with llama.cpp, and a class fixture that loads each one once — ours via
/// <see cref="TokenizerFactory"/>, llama.cpp's vocab-only — and frees the llama.cpp models at the end.
/// </summary>
public sealed class TokenizerPairCache : IDisposable
{
    /// <summary>Every vocab-only GGUF in ../shared/models/vocab, plus stories260K's 512-token SPM vocabulary.</summary>
    public static readonly string[] VocabularyNames =
    [
        "llama-spm", "llama-bpe", "qwen2", "deepseek-coder", "deepseek-llm", "gpt-2", "falcon", "phi-3", "starcoder", "refact", "command-r",
        Stories260K,
    ];

    private const string Stories260K = "stories260K";

    private readonly ConcurrentDictionary<string, Lazy<(ITokenizer Ours, LlamaReferenceModel Reference)>> pairs = new();

    /// <summary>xunit member data: one row per vocabulary name.</summary>
    public static TheoryData<string> Names => [.. VocabularyNames];

    public static string PathOf(string name) =>
        name == Stories260K ? TestPaths.SharedModel("stories260K.gguf") : TestPaths.SharedVocab($"ggml-vocab-{name}.gguf");

    /// <summary>Our tokenizer and llama.cpp's for <paramref name="name"/>, loaded on first use.</summary>
    public (ITokenizer Ours, LlamaReferenceModel Reference) Get(string name) =>
        pairs.GetOrAdd(name, n => new Lazy<(ITokenizer, LlamaReferenceModel)>(() => Load(PathOf(n)))).Value;

    public void Dispose()
    {
        foreach (var pair in pairs.Values)
        {
            if (pair.IsValueCreated)
                pair.Value.Reference.Dispose();
        }
    }

    private static (ITokenizer, LlamaReferenceModel) Load(string path)
    {
        ITokenizer ours;
        using (var file = GgufFile.Open(path))
            ours = TokenizerFactory.FromGguf(file.Metadata);
        return (ours, LlamaReferenceModel.Load(path, vocabOnly: true));
    }
}
