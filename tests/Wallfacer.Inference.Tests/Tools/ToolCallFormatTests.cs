using System.Text.Json.Nodes;
using Wallfacer.Inference.Grammar;
using Wallfacer.Inference.Tools;

namespace Wallfacer.Inference.Tests.Tools;

public class ToolCallFormatTests
{
    internal static IReadOnlyList<ToolDefinition> Tools { get; } = ToolDefinition.FromOpenAi((JsonArray)JsonNode.Parse("""
        [{"type": "function", "function": {"name": "get_weather", "description": "Weather in a city",
          "parameters": {"type": "object", "properties": {"city": {"type": "string", "maxLength": 20}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
                         "required": ["city"]}}},
         {"type": "function", "function": {"name": "add", "description": "Adds two numbers", "parameters": {"type": "object",
          "properties": {"a": {"type": "integer"}, "b": {"type": "number"}, "exact": {"type": "boolean"}}, "required": ["a", "b"]}}}]
        """)!);

    private static bool Matches(GbnfGrammar grammar, string text)
    {
        var m = grammar.CreateMatcher();
        return m.Accept(text) && m.IsComplete;
    }

    public static TheoryData<string, string, string, string> Calls() => new()
    {
        { "hermes", "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"unit\": \"celsius\"}}\n</tool_call>", "get_weather", """{"city":"Paris","unit":"celsius"}""" },
        { "llama3", "{\"name\": \"add\", \"parameters\": {\"a\": 2, \"b\": 3.5}}", "add", """{"a":2,"b":3.5}""" },
        { "mistral", "[TOOL_CALLS][{\"name\": \"add\", \"arguments\": {\"a\": -1, \"b\": 2}, \"id\": \"abc123XYZ\"}]", "add", """{"a":-1,"b":2}""" },
        { "minicpm", "<|tool_call_start|>\n```python\nget_weather(city=\"Paris, France\",unit=\"celsius\")\n```\n<|tool_call_end|>", "get_weather", """{"city":"Paris, France","unit":"celsius"}""" },
        { "xml", "<function name=\"add\"><param name=\"a\">7</param><param name=\"b\">0.5</param></function>", "add", """{"a":7,"b":0.5}""" },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public void Each_format_parses_its_calls_and_its_grammar_accepts_them(string format, string output, string name, string arguments)
    {
        var f = ToolCallFormats.ByName(format)!;
        var parse = f.Parse(output);
        var call = Assert.Single(parse.Calls);
        Assert.Equal(name, call.Name);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(arguments), JsonNode.Parse(call.Arguments)), call.Arguments);
        string section = output[output.IndexOf(f.Trigger, StringComparison.Ordinal)..];
        Assert.True(Matches(f.Grammar(Tools, parallel: true), section), section);
    }

    [Theory]
    [InlineData("hermes", "<tool_call>\n{\"name\": \"delete_all\", \"arguments\": {}}\n</tool_call>")]           // unknown tool
    [InlineData("hermes", "<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 1}}\n</tool_call>")]          // missing required b
    [InlineData("hermes", "<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": \"1\", \"b\": 2}}\n</tool_call>")] // wrong type
    [InlineData("hermes", "<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\": 2, \"c\": 3}}\n</tool_call>")] // undeclared argument
    [InlineData("llama3", "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\", \"unit\": \"kelvin\"}}")] // not in the enum
    [InlineData("mistral", "[TOOL_CALLS][{\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\": 2}, \"id\": \"short\"}]")] // id not 9 characters
    [InlineData("minicpm", "<|tool_call_start|>\n```python\nadd(b=2)\n```\n<|tool_call_end|>")]                      // missing a
    [InlineData("minicpm", "<|tool_call_start|>\n```python\nadd(a=1.5, b=2)\n```\n<|tool_call_end|>")]              // a is an integer
    [InlineData("xml", "<function name=\"add\"><param name=\"b\">2</param></function>")]                             // missing a
    public void The_grammar_refuses_calls_the_schemas_do_not_allow(string format, string section)
    {
        Assert.False(Matches(ToolCallFormats.ByName(format)!.Grammar(Tools, parallel: true), section));
    }

    [Fact]
    public void Parallel_calls_parse_in_order_and_the_single_call_grammar_refuses_a_second()
    {
        const string two = "<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\": 2}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>";
        var parse = ToolCallFormats.Hermes.Parse(two);
        Assert.Equal(["add", "get_weather"], parse.Calls.Select(c => c.Name));
        Assert.True(Matches(ToolCallFormats.Hermes.Grammar(Tools, parallel: true), two));
        Assert.False(Matches(ToolCallFormats.Hermes.Grammar(Tools, parallel: false), two));
    }

    [Theory]
    [InlineData("hermes", "The answer is 4.")]
    [InlineData("hermes", "<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 1,")] // cut off (a cut-off call after complete ones is dropped alone)
    [InlineData("minicpm", "<|tool_call_start|>\n```python\nimport os; os.remove('x')\n```")]
    [InlineData("llama3", "{\"name\": \"add\", \"parameters\": {\"a\": 1}} and more")]
    public void Text_without_a_well_formed_call_stays_content(string format, string output)
    {
        var parse = ToolCallFormats.ByName(format)!.Parse(output);
        Assert.Empty(parse.Calls);
        Assert.Equal(output, parse.Content);
    }

    [Fact]
    public void Python_literals_become_json()
    {
        var calls = ToolCallFormats.MiniCpm.Parse(
            "<|tool_call_start|>\n```python\nf(s='it\\'s', n=-3, x=1.5e3, ok=True, no=None, xs=[1, 'a', (2, 3)], d={'k': False})\n```\n<|tool_call_end|>").Calls;
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"s":"it's","n":-3,"x":1500,"ok":true,"no":null,"xs":[1,"a",[2,3]],"d":{"k":false}}"""),
            JsonNode.Parse(Assert.Single(calls).Arguments)));
    }

    [Theory]
    [InlineData("{% for m in messages %}<|im_start|>{{ m.role }}{% endfor %}{{ '<tool_call>' }}", "hermes")]
    [InlineData("{{ '[TOOL_CALLS]' }}", "mistral")]
    [InlineData("<|start_header_id|>ipython<|end_header_id|>", "llama3")]
    [InlineData("<|tool_call_start|>", "minicpm")]
    [InlineData("<function name=", "xml")]
    [InlineData("{{ messages }}", "hermes")]
    public void The_format_is_read_from_the_template(string template, string expected) =>
        Assert.Equal(expected, ToolCallFormats.Detect(template).Name);

    [Fact]
    public void Malformed_tools_and_choices_are_refused_naming_the_field()
    {
        Assert.Contains("tools[0].function.name", Assert.Throws<ToolCallException>(() =>
            ToolDefinition.FromOpenAi((JsonArray)JsonNode.Parse("""[{"type": "function", "function": {"name": "no spaces allowed"}}]""")!)).Message);
        Assert.Contains("tools[1].function.name", Assert.Throws<ToolCallException>(() =>
            ToolDefinition.FromOpenAi((JsonArray)JsonNode.Parse("""[{"function": {"name": "a"}}, {"function": {"name": "a"}}]""")!)).Message);
        Assert.Contains("'nope'", Assert.Throws<ToolCallException>(() =>
            ToolChoice.FromOpenAi(JsonNode.Parse("""{"type": "function", "function": {"name": "nope"}}"""), Tools)).Message);
        Assert.Contains("tool_choice", Assert.Throws<ToolCallException>(() => ToolChoice.FromOpenAi(JsonValue.Create("always"), Tools)).Message);
    }

    [Fact]
    public void An_unenforceable_argument_schema_is_an_error_naming_the_keyword()
    {
        var tools = ToolDefinition.FromOpenAi((JsonArray)JsonNode.Parse("""
            [{"function": {"name": "f", "parameters": {"type": "object", "properties": {"s": {"type": "string", "format": "hostname"}}}}}]
            """)!);
        Assert.Contains("hostname", Assert.Throws<GrammarException>(() => ToolCallFormats.Hermes.Grammar(tools, parallel: false)).Message);
    }

    [Fact]
    public void The_stream_splitter_holds_back_a_possible_trigger_and_stops_content_at_a_call()
    {
        var session = ToolCallSession.Create(ToolCallFormats.Hermes, Tools, ToolChoice.Auto, parallel: true, SyntheticVocabularyWithoutTokens())!;
        var splitter = session.CreateSplitter();
        Assert.Equal("Sure", splitter.Push("Sure"));
        Assert.Equal(" ", splitter.Push(" <tool_"));    // "<tool_" could be the trigger: held back
        Assert.Equal("<tool_x", splitter.Push("x"));    // it was not
        Assert.Equal(" ", splitter.Push(" <tool_call>\n{\"na"));
        Assert.True(splitter.InCall);
        Assert.Equal("", splitter.Push("me\": \"add\"}"));
    }

    private static Tokenizers.Vocabulary SyntheticVocabularyWithoutTokens()
    {
        string path = Path.Combine(Path.GetTempPath(), "wallfacer-tests", Guid.NewGuid().ToString("N") + ".gguf");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Models.Synthetic.SyntheticModelWriter.Write(Engine.SyntheticModelFixture.Spec with { BlockCount = 1 }, path);
        using var model = Wallfacer.Inference.Engine.LanguageModel.Load(path);
        var vocabulary = model.Tokenizer.Vocabulary;
        return vocabulary;
    }
}
