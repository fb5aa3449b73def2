using System.Text.Json.Nodes;
using Wallfacer.Inference.Templates;

namespace Wallfacer.Inference.Tests.Templates;

/// <summary>The language, value by value, against outputs Python jinja2 produced (<see cref="JinjaExpectations"/>).</summary>
public class JinjaLanguageTests
{
    public const string Variables =
        """{"messages": [{"role": "user", "content": "hi ' there"}, {"role": "assistant", "content": [{"type": "text", "text": "p1"}]}], "n": 3, "f": 2.5, "flag": true, "nothing": null}""";

    internal static string Render(string template, string variables = Variables) =>
        JinjaTemplate.Parse(template, ChatTemplateCorpus.Options).Render(JsonNode.Parse(variables)!.AsObject());

    [Theory]
    [MemberData(nameof(JinjaExpectations.WhitespaceCases), MemberType = typeof(JinjaExpectations))]
    public void Whitespace_control_trim_and_lstrip_blocks(string template, string expected) => Assert.Equal(expected, Render(template));

    [Theory]
    [MemberData(nameof(JinjaExpectations.ExpressionCases), MemberType = typeof(JinjaExpectations))]
    public void Expressions_follow_python(string template, string expected) => Assert.Equal(expected, Render(template));

    [Theory]
    [MemberData(nameof(JinjaExpectations.StatementCases), MemberType = typeof(JinjaExpectations))]
    public void Statements_loops_macros_and_scoping(string template, string expected) => Assert.Equal(expected, Render(template));

    [Theory]
    [MemberData(nameof(JinjaExpectations.FilterCases), MemberType = typeof(JinjaExpectations))]
    public void Filters(string template, string expected) => Assert.Equal(expected, Render(template));

    [Theory]
    [MemberData(nameof(JinjaExpectations.TestCases), MemberType = typeof(JinjaExpectations))]
    public void Tests(string template, string expected) => Assert.Equal(expected, Render(template));

    [Theory]
    [MemberData(nameof(JinjaExpectations.MethodCases), MemberType = typeof(JinjaExpectations))]
    public void String_dict_and_list_methods(string template, string expected) => Assert.Equal(expected, Render(template));

    [Theory]
    [MemberData(nameof(JinjaExpectations.ReprCases), MemberType = typeof(JinjaExpectations))]
    public void Python_repr_tojson_and_strftime(string template, string expected) => Assert.Equal(expected, Render(template));

    [Fact]
    public void Generation_block_renders_its_body()
    {
        Assert.Equal("a[gen]b", Render("a{% generation %}[gen]{% endgeneration %}b"));
    }

    [Fact]
    public void Json_numbers_keep_python_int_and_float()
    {
        Assert.Equal("3|3.0|1e-05|{\"x\": 3, \"y\": 3.0}", Render("{{ x }}|{{ y }}|{{ z }}|{{ {'x': x, 'y': y}|tojson }}", """{"x": 3, "y": 3.0, "z": 1e-5}"""));
    }

    [Fact]
    public void A_template_renders_again_with_new_variables()
    {
        var template = JinjaTemplate.Parse("{% for m in messages %}{{ m }};{% endfor %}");
        Assert.Equal("1;2;", template.Render(new JsonObject { ["messages"] = new JsonArray(1, 2) }));
        Assert.Equal("a;", template.Render(new JsonObject { ["messages"] = new JsonArray("a") }));
    }

    [Fact]
    public void Template_text_that_looks_like_jinja_inside_variables_is_printed_verbatim()
    {
        Assert.Equal("{{ x }} {% if %}", Render("{{ s }}", """{"s": "{{ x }} {% if %}"}"""));
    }
}
