using System.Collections.Concurrent;
using System.Text;
using Wallfacer.Gguf;
using Wallfacer.TestSupport;

namespace Wallfacer.Tokenizers.Tests;

/// <summary>Loads the shared vocabulary files once per test run, and reads llama.cpp's .inp/.out test pairs.</summary>
internal static class SharedVocabularies
{
    public static readonly string[] Names =
    [
        "llama-spm", "llama-bpe", "qwen2", "deepseek-coder", "deepseek-llm", "gpt-2", "falcon", "phi-3", "starcoder", "refact", "command-r",
    ];

    private static readonly ConcurrentDictionary<string, Lazy<ITokenizer>> Cache = new();

    public static string PathOf(string name) => TestPaths.SharedVocab($"ggml-vocab-{name}.gguf");

    public static ITokenizer Load(string name) =>
        Cache.GetOrAdd(name, n => new Lazy<ITokenizer>(() =>
        {
            using var file = GgufFile.Open(PathOf(n));
            return TokenizerFactory.FromGguf(file.Metadata);
        })).Value;

    public static ITokenizer Stories260K() =>
        Cache.GetOrAdd("stories260K", _ => new Lazy<ITokenizer>(() =>
        {
            using var file = GgufFile.Open(TestPaths.SharedModel("stories260K.gguf"));
            return TokenizerFactory.FromGguf(file.Metadata);
        })).Value;

    /// <summary>
    /// The test pairs, split as llama.cpp tests/test-tokenizer-0.cpp does: the .inp text is cut at every
    /// "\n__ggml_vocab_test__\n" (so a string's own trailing newlines stay part of it), and each .out line
    /// holds the ids of one string.
    /// </summary>
    public static List<(string Text, int[] Ids)> ReadPairs(string name)
    {
        string raw = Encoding.UTF8.GetString(File.ReadAllBytes(PathOf(name) + ".inp"));
        const string separator = "\n__ggml_vocab_test__\n";
        var inputs = new List<string>();
        int pos = 0;
        while (pos < raw.Length)
        {
            int next = raw.IndexOf(separator, pos, StringComparison.Ordinal);
            if (next < 0)
            {
                inputs.Add(raw[pos..]);
                break;
            }
            inputs.Add(raw[pos..next]);
            pos = next + separator.Length;
        }
        var outputs = File.ReadAllLines(PathOf(name) + ".out");
        if (inputs.Count != outputs.Length)
            throw new InvalidDataException($"{name}: {inputs.Count} inputs but {outputs.Length} outputs.");
        return [.. inputs.Select((text, i) => (text, outputs[i].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray()))];
    }
}
