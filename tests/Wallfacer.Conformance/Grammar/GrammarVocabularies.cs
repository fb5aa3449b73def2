using Wallfacer.Conformance.Reference;
using Wallfacer.Gguf;
using Wallfacer.TestSupport;
using Wallfacer.Tokenizers;

namespace Wallfacer.Conformance.Grammar;

/// <summary>A vocabulary loaded twice: into llama.cpp (vocab-only) and into Wallfacer's tokenizer, on first use.</summary>
public sealed class GrammarVocabularies : IDisposable
{
    private readonly Dictionary<string, (LlamaReferenceModel Reference, ITokenizer Ours)> loaded = [];

    public (LlamaReferenceModel Reference, ITokenizer Ours) Get(string vocabFile)
    {
        lock (loaded)
        {
            if (loaded.TryGetValue(vocabFile, out var pair)) return pair;
            string path = TestPaths.SharedVocab(vocabFile);
            var reference = LlamaReferenceModel.Load(path, vocabOnly: true);
            using var file = GgufFile.Open(path);
            pair = (reference, TokenizerFactory.FromGguf(file.Metadata));
            Assert.Equal(reference.VocabSize, pair.Ours.Vocabulary.Count);
            return loaded[vocabFile] = pair;
        }
    }

    public void Dispose()
    {
        foreach (var (reference, _) in loaded.Values) reference.Dispose();
        loaded.Clear();
    }
}
