using System.Text;
using Wallfacer.Inference.Grammar;

namespace Wallfacer.Inference.Tests.Grammar;

public class GbnfGrammarTests
{
    internal static string ExamplesDirectory => Wallfacer.TestSupport.TestPaths.ExampleGrammars;

    internal static string Example(string name) => File.ReadAllText(Path.Combine(ExamplesDirectory, name));

    public static TheoryData<string> ExampleNames() =>
        ["arithmetic.gbnf", "c.gbnf", "chess.gbnf", "english.gbnf", "japanese.gbnf", "json.gbnf", "json_arr.gbnf", "list.gbnf"];

    private static bool Matches(GbnfGrammar grammar, string text)
    {
        var m = grammar.CreateMatcher();
        return m.Accept(text) && m.IsComplete;
    }

    [Wallfacer.TestSupport.ExampleGrammarsTheory]
    [MemberData(nameof(ExampleNames))]
    public void Every_example_grammar_parses(string name)
    {
        var grammar = GbnfGrammar.Parse(Example(name));
        Assert.Contains("root", grammar.RuleNames);
        Assert.True(grammar.CreateMatcher().IsAlive);
    }

    [Wallfacer.TestSupport.ExampleGrammarsTheory]
    [InlineData("{}", true)]
    [InlineData("{\"a\": 1}", true)]
    [InlineData("{\"a\": [1, 2.5e3, \"x\", true, null, {\"b\": false}]}", true)]
    [InlineData("{\"s\": \"esc \\\" \\u00e9 é 😀\"}", true)]
    [InlineData("{\"a\": 1", false)]
    [InlineData("{a: 1}", false)]
    [InlineData("[1]", false)]
    [InlineData("{\"a\": tru}", false)]
    [InlineData("{\"a\": \"\\q\"}", false)]
    public void Json_accepts_and_rejects(string text, bool expected) =>
        Assert.Equal(expected, Matches(GbnfGrammar.Parse(Example("json.gbnf")), text));

    [Wallfacer.TestSupport.ExampleGrammarsTheory]
    [InlineData("x = 1\n", true)]
    [InlineData("a1 = (b+2*c)\n", true)]
    [InlineData("a1 = b+2\n", false)]
    [InlineData("x = 1\ny = (x/3)\n", true)]
    [InlineData("x*2 = 1\n", true)]
    [InlineData("x = 1", false)]
    [InlineData("1x = 2\n", false)]
    [InlineData("x = (1\n", false)]
    public void Arithmetic_accepts_and_rejects(string text, bool expected) =>
        Assert.Equal(expected, Matches(GbnfGrammar.Parse(Example("arithmetic.gbnf")), text));

    [Wallfacer.TestSupport.ExampleGrammarsTheory]
    [InlineData("- milk\n", true)]
    [InlineData("- milk\n- eggs é\n", true)]
    [InlineData("- milk", false)]
    [InlineData("-milk\n", false)]
    [InlineData("- \n", false)]
    [InlineData("- a\u2028b\n", false)]
    public void List_accepts_and_rejects(string text, bool expected) =>
        Assert.Equal(expected, Matches(GbnfGrammar.Parse(Example("list.gbnf")), text));

    [Fact]
    public void A_refused_code_point_leaves_the_matcher_where_it_was()
    {
        var m = GbnfGrammar.Parse("root ::= \"ab\"").CreateMatcher();
        Assert.True(m.Accept('a'));
        var probe = m.Clone();
        Assert.False(m.Accept('x'));
        Assert.True(m.Accept('b'));
        Assert.True(m.IsComplete);
        Assert.False(probe.IsComplete);
        Assert.True(probe.Accept('b'));
    }

    [Theory]
    [InlineData("root ::= \"a\"{2,3}", "aa", true)]
    [InlineData("root ::= \"a\"{2,3}", "aaaa", false)]
    [InlineData("root ::= \"a\"{2,3}", "a", false)]
    [InlineData("root ::= (\"ab\"){2}", "abab", true)]
    [InlineData("root ::= \"a\"{2,} \"b\"", "aaaaab", true)]
    [InlineData("root ::= [^a-c]+", "xyz", true)]
    [InlineData("root ::= [^a-c]+", "xbz", false)]
    [InlineData("root ::= . . \"\\x41\\u00e9\\U0001F600\"", "☃\nAé😀", true)]
    [InlineData("root ::= [\\]\\-]*", "]-]", true)]
    [InlineData("root ::= x? \"b\"  # comment\nx ::= \"a\" |\n  \"c\"", "cb", true)]
    [InlineData("root ::= \"a\" root | \"\"", "aaa", true)]
    public void Syntax_features_match(string grammar, string text, bool expected) =>
        Assert.Equal(expected, Matches(GbnfGrammar.Parse(grammar), text));

    [Theory]
    [InlineData("root ::= \"a", 1, 12)]
    [InlineData("root ::= [a-", 1, 13)]
    [InlineData("root ::= \"a\"\n\nfoo = \"b\"", 3, 5)]
    [InlineData("root ::= (\"a\" | \"b\"", 1, 20)]
    [InlineData("root ::= \"\\q\"", 1, 12)]
    [InlineData("root ::= *", 1, 10)]
    [InlineData("root ::= \"a\"{3,1}", 1, 18)]
    [InlineData("root ::= \"a\" )", 1, 14)]
    public void Malformed_grammars_report_line_and_column(string grammar, int line, int column)
    {
        var e = Assert.Throws<GrammarException>(() => GbnfGrammar.Parse(grammar));
        Assert.Equal((line, column), (e.Line, e.Column));
        Assert.StartsWith($"{line}:{column}: ", e.Message);
    }

    [Fact]
    public void Undefined_rules_and_missing_root_are_errors()
    {
        var e = Assert.Throws<GrammarException>(() => GbnfGrammar.Parse("root ::= \"a\" thing"));
        Assert.Contains("'thing'", e.Message);
        Assert.Equal((1, 14), (e.Line, e.Column));
        Assert.Contains("root", Assert.Throws<GrammarException>(() => GbnfGrammar.Parse("a ::= \"a\"")).Message);
    }

    [Theory]
    [InlineData("root ::= root \"a\" | \"b\"")]
    [InlineData("root ::= x\nx ::= y \"a\"\ny ::= \"\" | root")]
    [InlineData("root ::= (\"a\"?)*")]
    public void Left_recursion_is_refused(string grammar) =>
        Assert.Contains("Left recursion", Assert.Throws<GrammarException>(() => GbnfGrammar.Parse(grammar)).Message);

    [Fact]
    public void Limits_are_enforced()
    {
        Assert.Throws<GrammarException>(() => GbnfGrammar.Parse("root ::= \"" + new string('a', GbnfGrammar.MaxSourceLength) + "\""));
        Assert.Throws<GrammarException>(() => GbnfGrammar.Parse("root ::= \"a\"{10001}"));
        string wide = "root ::= " + string.Concat(Enumerable.Repeat("(\"a\"){0,9000} ", 6));
        Assert.Contains("The grammar needs more than", Assert.Throws<GrammarException>(() => GbnfGrammar.Parse(wide)).Message);
        string deep = "root ::= " + new string('(', 101) + "\"a\"" + new string(')', 101);
        Assert.Contains("nested", Assert.Throws<GrammarException>(() => GbnfGrammar.Parse(deep)).Message);
        var sb = new StringBuilder("root ::= \"x\"\n");
        Assert.NotNull(GbnfGrammar.Parse(sb.ToString()));
    }

    [Fact]
    public void An_ambiguous_grammar_hits_the_stack_limit_with_a_clear_error()
    {
        // Every split of a run of a's is a separate stack: the count grows without bound.
        var m = GbnfGrammar.Parse("root ::= x*\nx ::= \"a\" y*\ny ::= \"a\" z*\nz ::= \"a\"").CreateMatcher();
        var e = Record.Exception(() => { for (int i = 0; i < 100_000 && m.Accept('a'); i++) { } });
        Assert.True(e is null or GrammarException);
    }
}
