using Wallfacer.Gguf;
using Wallfacer.TestSupport;

namespace Wallfacer.Tokenizers.Tests;

/// <summary>
/// A lone UTF-16 surrogate cannot be encoded in UTF-8; callers of llama.cpp get U+FFFD in its place, so our
/// tokenizers must tokenize it as U+FFFD too (found by the live conformance comparison).
/// </summary>
public class LoneSurrogateTests
{
    [SharedTheory]
    [InlineData("ggml-vocab-llama-spm.gguf")]
    [InlineData("ggml-vocab-qwen2.gguf")]
    public void A_lone_surrogate_tokenizes_as_the_replacement_character(string vocab)
    {
        using var file = GgufFile.Open(TestPaths.SharedVocab(vocab));
        var tokenizer = TokenizerFactory.FromGguf(file.Metadata);
        Assert.Equal(tokenizer.Encode("a\ufffdb", false, false), tokenizer.Encode("a\ud800b", false, false));
        Assert.Equal(tokenizer.Encode("\ufffd", false, false), tokenizer.Encode("\udfff", false, false));
    }
}
