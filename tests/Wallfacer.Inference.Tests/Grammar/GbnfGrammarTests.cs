using Wallfacer.Inference.Grammar;

namespace Wallfacer.Inference.Tests.Grammar;

public class GbnfGrammarTests
{
    private static bool Matches(GbnfGrammar grammar, string text)
    {
        var matcher = grammar.CreateMatcher();
        foreach (var rune in text.EnumerateRunes())
            if (!matcher.Accept(rune.Value))
                return false;
        return matcher.IsComplete;
    }

    private const string Arithmetic = """
        root  ::= (expr "=" ws term "\n")+
        expr  ::= term ([-+*/] term)*
        term  ::= ident | num | "(" ws expr ")" ws
        ident ::= [a-z] [a-z0-9_]* ws
        num   ::= [0-9]+ ws
        ws    ::= [ \t\n]*
        """;

    [Theory]
    [InlineData("1+2=3\n", true)]
    [InlineData("(a+b)*c= x\n", true)]
    [InlineData("1+=3\n", false)]
    [InlineData("1+2=3", false)] // incomplete: the line must end
    public void Arithmetic_grammar_accepts_and_rejects(string text, bool expected) =>
        Assert.Equal(expected, Matches(GbnfGrammar.Parse(Arithmetic), text));

    [Theory]
    [InlineData("ab", "root ::= \"a\" \"b\"", true)]
    [InlineData("aaa", "root ::= \"a\"{2,3}", true)]
    [InlineData("aaaa", "root ::= \"a\"{2,3}", false)]
    [InlineData("a", "root ::= \"a\"{2,}", false)]
    [InlineData("aaaaa", "root ::= \"a\"{2,}", true)]
    [InlineData("x", "root ::= [^abc]", true)]
    [InlineData("b", "root ::= [^abc]", false)]
    [InlineData("é", "root ::= [\\u00e0-\\u00ff]", true)]
    [InlineData("", "root ::= \"a\"?", true)]
    [InlineData("😀", "root ::= .", true)]
    public void Operators_and_classes(string text, string grammar, bool expected) =>
        Assert.Equal(expected, Matches(GbnfGrammar.Parse(grammar), text));

    public static TheoryData<string> ExampleGrammars
    {
        get
        {
            // scripts/install-reference.sh puts llama.cpp's example grammars here (they are not ours to commit).
            var data = new TheoryData<string>();
            string folder = Path.Combine(Wallfacer.TestSupport.TestPaths.RepoRoot, ".reference", "grammars");
            if (Directory.Exists(folder))
                foreach (string file in Directory.GetFiles(folder, "*.gbnf").Order())
                    data.Add(Path.GetFileName(file));
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ExampleGrammars))]
    public void Llama_cpp_example_grammars_parse(string file)
    {
        var grammar = GbnfGrammar.Parse(File.ReadAllText(Path.Combine(Wallfacer.TestSupport.TestPaths.RepoRoot, ".reference", "grammars", file)));
        Assert.False(grammar.CreateMatcher().IsDead);
    }

    [Theory]
    [InlineData("root ::= \"a", "line 1, column 12: unterminated string literal")]
    [InlineData("root ::= foo", "rule 'foo' is used but never defined")]
    [InlineData("root ::= [a-", "unterminated character class")]
    [InlineData("item ::= \"x\"", "no 'root' rule")]
    [InlineData("root ::= root \"a\" | \"b\"", "left-recursive: root → root")]
    [InlineData("root ::= \"a\"{3,1}", "maximum below its minimum")]
    [InlineData("root ::= \"a\"\nroot ::= \"b\"", "line 2, column 1: rule 'root' is defined twice")]
    [InlineData("root ::= \"\\q\"", "unknown escape")]
    public void Malformed_grammars_say_where_and_what(string text, string message) =>
        Assert.Contains(message, Assert.Throws<GrammarException>(() => GbnfGrammar.Parse(text)).Message);
}
