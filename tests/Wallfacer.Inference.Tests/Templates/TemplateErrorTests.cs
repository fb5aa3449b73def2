using System.Text.Json.Nodes;
using Wallfacer.Inference.Templates;

namespace Wallfacer.Inference.Tests.Templates;

/// <summary>Syntax errors name line and column; render errors have Python's message, a kind and a line.</summary>
public class TemplateErrorTests
{
    private static TemplateRenderException RenderError(string template, string variables = "{}") =>
        Assert.Throws<TemplateRenderException>(() => JinjaTemplate.Parse(template).Render(JsonNode.Parse(variables)!.AsObject()));

    [Theory]
    [InlineData("{% if x %}\nno end", 2, "Unexpected end of template")]
    [InlineData("ok\n{{ 1 + }}", 2, "unexpected 'end of print statement'")]
    [InlineData("a\nb\n{% frobnicate %}", 3, "Encountered unknown tag 'frobnicate'.")]
    [InlineData("{{ \"unterminated }}", 1, "unexpected char")]
    [InlineData("{{ (1 ] }}", 1, "unexpected ']'")]
    [InlineData("{# never closed", 1, "Missing end of comment tag")]
    [InlineData("{% break %}", 1, "'break' outside of a loop")]
    public void Syntax_errors_name_line_and_column(string template, int line, string message)
    {
        var error = Assert.Throws<TemplateSyntaxException>(() => JinjaTemplate.Parse(template));
        Assert.Equal(line, error.Line);
        Assert.True(error.Column > 0);
        Assert.Contains(message, error.Message);
        Assert.Contains($"line {line}, column {error.Column}", error.Message);
    }

    [Fact]
    public void Raise_exception_keeps_the_templates_message_and_line()
    {
        var error = RenderError("line one\n{{ raise_exception('Conversation roles must alternate') }}");
        Assert.Equal(TemplateErrorKind.RaisedByTemplate, error.Kind);
        Assert.Equal("Conversation roles must alternate", error.Message);
        Assert.Equal(2, error.Line);
    }

    [Theory]
    [InlineData("{{ x.y }}", "'x' is undefined")]
    [InlineData("{{ m.nothing.more }}", "'dict object' has no attribute 'nothing'")]
    [InlineData("{{ none.split() }}", "'None' has no attribute 'split'")]
    [InlineData("{{ m.content.replace('a', 'b') }}", "'list object' has no attribute 'replace'")]
    public void Undefined_errors(string template, string message)
    {
        var error = RenderError(template, """{"m": {"content": [1]}}""");
        Assert.Equal(TemplateErrorKind.Undefined, error.Kind);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("{{ 'a' + [1] }}", "can only concatenate str (not \"list\") to str")]
    [InlineData("{{ 1 < 'a' }}", "'<' not supported between instances of 'int' and 'str'")]
    [InlineData("{% for x in none %}{% endfor %}", "'NoneType' object is not iterable")]
    [InlineData("{{ 'x' in none }}", "argument of type 'NoneType' is not iterable")]
    [InlineData("{% for k, v in 'text'|items %}{% endfor %}", "Can only get item pairs from a mapping.")]
    [InlineData("{{ 1 / 0 }}", "division by zero")]
    public void Type_errors(string template, string message)
    {
        var error = RenderError(template);
        Assert.Equal(TemplateErrorKind.Type, error.Kind);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("{{ [1].append(2) }}", "access to attribute 'append' of 'list' object is unsafe.")]
    [InlineData("{% set d = {} %}{{ d.update({'a': 1}) }}", "access to attribute 'update' of 'dict' object is unsafe.")]
    public void The_sandbox_refuses_mutation(string template, string message)
    {
        var error = RenderError(template);
        Assert.Equal(TemplateErrorKind.Security, error.Kind);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void An_unsafe_method_only_fails_when_called()
    {
        Assert.Equal("||", JinjaTemplate.Parse("{{ {}.update }}|{{ [].append }}|").Render(new JsonObject()));
    }

    [Fact]
    public void Unknown_filters_fail_only_when_reached()
    {
        var template = JinjaTemplate.Parse("{% if false %}{{ x|no_such_filter }}{% endif %}ok");
        Assert.Equal("ok", template.Render(new JsonObject()));
        Assert.Contains("No filter named 'no_such_filter'", RenderError("{{ x|no_such_filter }}").Message);
    }

    [Fact]
    public void The_error_line_is_the_innermost_statement()
    {
        var error = RenderError("{% for m in messages %}\n  {% if m.role == 'user' %}\n    {{ m.content + 1 }}\n  {% endif %}\n{% endfor %}",
            """{"messages": [{"role": "user", "content": "hi"}]}""");
        Assert.Equal(3, error.Line);
    }
}
