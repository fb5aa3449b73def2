using System.Text;
using Wallfacer.TestSupport;

namespace Wallfacer.Tokenizers.Tests;

/// <summary>
/// Special tokens in text, BOS/EOS and detokenization. Expected ids were produced by llama.cpp v0.5.0
/// (libllama llama_tokenize / llama_detokenize on the same files, vocab_only).
/// </summary>
public class SpecialTokenTests
{
    [SharedFact]
    public void Stories260KOnceUponATimeStartsWithBos()
    {
        var tokenizer = SharedVocabularies.Stories260K();
        Assert.Equal(512, tokenizer.Vocabulary.Count);
        Assert.Equal([1, 403, 407, 261, 378], tokenizer.Encode("Once upon a time"));
        // llama_detokenize strips the SentencePiece space from the first token only, which is BOS here; with
        // remove_special it drops the BOS and keeps the space (checked against libllama).
        Assert.Equal(" Once upon a time", tokenizer.Decode([1, 403, 407, 261, 378]));
        Assert.Equal(" Once upon a time"u8.ToArray(), tokenizer.DecodeBytes([1, 403, 407, 261, 378], renderSpecial: false, removeSpecial: true));
        Assert.Equal("Once upon a time", tokenizer.Decode([403, 407, 261, 378]));
    }

    [SharedFact]
    public void ChatMarkersBecomeSpecialTokensOnlyWhenParsingSpecial()
    {
        var qwen = SharedVocabularies.Load("qwen2");
        const string text = "<|im_start|>user\nHello<|im_end|>\n";
        Assert.Equal([151644, 872, 198, 9707, 151645, 198], qwen.Encode(text, addSpecial: true, parseSpecial: true));
        Assert.Equal([27, 91, 318, 4906, 91, 29, 872, 198, 9707, 27, 91, 318, 6213, 91, 397], qwen.Encode(text, addSpecial: true, parseSpecial: false));
    }

    [SharedFact]
    public void Llama3AddsBosEvenWhenTheTextStartsWithOne()
    {
        var llama3 = SharedVocabularies.Load("llama-bpe");
        Assert.True(llama3.Vocabulary.AddBos);
        Assert.Equal([128000, 128000, 13347, 128009], llama3.Encode("<|begin_of_text|>Hi<|eot_id|>"));
        Assert.True(llama3.Vocabulary.IsEndOfGeneration(128009));
        Assert.False(llama3.Vocabulary.IsEndOfGeneration(128000));
    }

    [SharedFact]
    public void Phi3SpecialTokensSwallowWhitespaceToTheirRight()
    {
        var phi3 = SharedVocabularies.Load("phi-3");
        Assert.Equal([1, 32010, 6324, 727, 29871, 32007, 32001], phi3.Encode("<|user|>\n Hi there <|end|>\n<|assistant|>"));
    }

    [SharedFact]
    public void SentencePieceEosTextSplitsTheTextAndRestartsTheSpacePrefix()
    {
        var spm = SharedVocabularies.Load("llama-spm");
        Assert.Equal([1, 15043, 2, 29871, 3186], spm.Encode("Hello</s> world"));
        Assert.Equal(2, spm.Vocabulary.Eos);
        Assert.True(spm.Vocabulary.IsEndOfGeneration(2));
        Assert.True(spm.Vocabulary.IsControl(1));
    }

    [SharedFact]
    public void Gpt2DetokenizationCleansSpacesBeforePunctuation()
    {
        var gpt2 = SharedVocabularies.Load("gpt-2");
        Assert.Equal("Hello, world!", gpt2.Decode([15496, 837, 995, 5145]));
    }

    [SharedFact]
    public void ControlTokensRenderOnlyOnRequest()
    {
        var qwen = SharedVocabularies.Load("qwen2");
        int[] ids = qwen.Encode("<|im_start|>hi<|im_end|>");
        Assert.Equal("hi", qwen.Decode(ids));
        Assert.Equal("<|im_start|>hi<|im_end|>", qwen.Decode(ids, renderSpecial: true));
        Assert.Empty(qwen.TokenBytes(151645));
        Assert.Equal("<|im_end|>"u8.ToArray(), qwen.TokenBytes(151645, renderSpecial: true));
    }

    [SharedFact]
    public void EndOfGenerationIncludesEosAndTextRecognisedTokens()
    {
        var qwen = SharedVocabularies.Load("qwen2");
        var v = qwen.Vocabulary;
        Assert.Equal(151645, v.Find("<|im_end|>"));
        Assert.True(v.IsEndOfGeneration(151645));
        Assert.True(v.IsEndOfGeneration(151643)); // <|endoftext|>
        Assert.False(v.IsEndOfGeneration(151644));
        Assert.Null(v.Find("no such token text"));
    }

    [SharedFact]
    public void SentencePieceDecodeRemovesOnlyTheAddedLeadingSpace()
    {
        var spm = SharedVocabularies.Load("llama-spm");
        int[] ids = spm.Encode("  two spaces", addSpecial: false);
        Assert.Equal("  two spaces", spm.Decode(ids));
        Assert.Equal(Encoding.UTF8.GetBytes("  two spaces"), spm.DecodeBytes(ids));
    }
}
