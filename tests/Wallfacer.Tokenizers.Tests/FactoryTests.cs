namespace Wallfacer.Tokenizers.Tests;

/// <summary>Tokenizers built from hand-made vocabularies: the algorithms and the error messages.</summary>
public class FactoryTests
{
    private static TokenizerSource TinySpm() => new()
    {
        Model = "llama",
        Tokens = ["<unk>", "<s>", "</s>", "▁", "a", "b", "ab", "▁ab", "<0x0A>", "<0xC3>", "<0xA9>"],
        Scores = [0, 0, 0, -1, -2, -2, -0.5f, -0.1f, 0, 0, 0],
        TokenTypes = [2, 3, 3, 1, 1, 1, 1, 1, 6, 6, 6],
    };

    [Fact]
    public void SentencePieceMergesByScoreAndFallsBackToBytes()
    {
        var tokenizer = TokenizerFactory.Create(TinySpm());
        // " ab" → "▁ab" (merged via "ab", the best pair), then "\n" and "é" (C3 A9) as byte tokens.
        Assert.Equal([1, 7, 8, 9, 10], tokenizer.Encode("ab\né"));
        Assert.Equal("ab\né", tokenizer.Decode(tokenizer.Encode("ab\né", addSpecial: false)));
    }

    [Fact]
    public void BytePairEncodingMergesByRank()
    {
        var source = new TokenizerSource
        {
            Model = "gpt2",
            Pre = "gpt-2",
            Tokens = ["a", "b", "c", "ab", "bc", "abc", "Ġ", "Ġa"],
            Merges = ["b c", "a b", "a bc", "Ġ a"],
        };
        var tokenizer = TokenizerFactory.Create(source);
        // "abc": rank 0 merges "b c" first, then "a bc" → "abc". " a" → "Ġa".
        Assert.Equal([5, 7], tokenizer.Encode("abc a", addSpecial: false));
        Assert.Equal("abc a", tokenizer.Decode([5, 7]));
    }

    [Fact]
    public void UnknownModelIsRejectedByName()
    {
        var ex = Assert.Throws<NotSupportedException>(() => TokenizerFactory.Create(TinySpm() with { Model = "t5" }));
        Assert.Contains("'t5'", ex.Message);
        Assert.Contains("tokenizer.ggml.model", ex.Message);
    }

    [Fact]
    public void UnknownPreTokenizerIsRejectedByName()
    {
        var source = new TokenizerSource { Model = "gpt2", Pre = "martian", Tokens = ["a"], Merges = [] };
        var ex = Assert.Throws<NotSupportedException>(() => TokenizerFactory.Create(source));
        Assert.Contains("'martian'", ex.Message);
    }

    [Fact]
    public void MissingMergesAndShortArraysAreReported()
    {
        Assert.Throws<InvalidDataException>(() => TokenizerFactory.Create(new TokenizerSource { Model = "gpt2", Tokens = ["a"] }));
        Assert.Throws<InvalidDataException>(() => TokenizerFactory.Create(TinySpm() with { Scores = [0f] }));
    }

    [Fact]
    public void OutOfRangeTokenIdsAreRejectedWhenDecoding()
    {
        var tokenizer = TokenizerFactory.Create(TinySpm());
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([3, 99]));
        Assert.Contains("99", ex.Message);
    }
}
