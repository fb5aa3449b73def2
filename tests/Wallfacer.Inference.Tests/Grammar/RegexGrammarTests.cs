using Wallfacer.Inference.Grammar;

namespace Wallfacer.Inference.Tests.Grammar;

public class RegexGrammarTests
{
    [Theory]
    [InlineData(@"^\d{3}-\d{4}$", "555-1234", true)]
    [InlineData(@"\d{3}-\d{4}", "555-123", false)]
    [InlineData(@"(ab|cd)+e?", "abcdab", true)]
    [InlineData(@"(?:ab|cd)+e?", "abce", false)]
    [InlineData(@"[^a-c\s]x.", "dxé", true)]
    [InlineData(@"[^a-c\s]x.", " xy", false)]
    [InlineData(@"a.c", "a\nc", false)]
    [InlineData(@"\w+@\w+\.com", "me@host.com", true)]
    [InlineData(@"[\-\]]{2,}", "-]-", true)]
    [InlineData(@"x{2,}?", "xxxx", true)]
    [InlineData(@"x{2}", "xxx", false)]
    [InlineData(@"\x41\u00e9\.", "Aé.", true)]
    [InlineData(@"a|", "", true)]
    public void Matches_the_whole_text(string pattern, string text, bool expected)
    {
        var m = RegexGrammar.Compile(pattern).CreateMatcher();
        Assert.Equal(expected, m.Accept(text) && m.IsComplete);
    }

    [Theory]
    [InlineData(@"(a)\1")]
    [InlineData(@"a(?=b)")]
    [InlineData(@"(?i)a")]
    [InlineData(@"\bword")]
    [InlineData(@"a^b")]
    [InlineData(@"a$b")]
    [InlineData(@"a++")]
    [InlineData(@"*a")]
    [InlineData(@"(ab")]
    [InlineData(@"ab)")]
    [InlineData(@"[ab")]
    [InlineData(@"a{3,1}")]
    [InlineData(@"\p{L}")]
    [InlineData(@"[z-a]")]
    public void Unsupported_or_malformed_patterns_are_errors(string pattern) =>
        Assert.Contains("regular expression", Assert.Throws<GrammarException>(() => RegexGrammar.Compile(pattern)).Message);
}
