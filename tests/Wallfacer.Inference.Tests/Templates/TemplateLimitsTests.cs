using System.Text.Json.Nodes;
using Wallfacer.Inference.Templates;

namespace Wallfacer.Inference.Tests.Templates;

/// <summary>Hostile templates hit a clear LimitExceeded error instead of exhausting time, memory or stack.</summary>
public class TemplateLimitsTests
{
    private static TemplateRenderException Exceeds(string template, JinjaOptions? options = null)
    {
        var error = Assert.Throws<TemplateRenderException>(() => JinjaTemplate.Parse(template, options).Render(new JsonObject()));
        Assert.Equal(TemplateErrorKind.LimitExceeded, error.Kind);
        return error;
    }

    [Fact]
    public void Nested_loops_hit_the_iteration_limit()
    {
        var error = Exceeds("{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}{% endfor %}{% endfor %}{% endfor %}");
        Assert.Contains("MaxLoopIterations", error.Message);
    }

    [Fact]
    public void The_iteration_limit_is_configurable()
    {
        Exceeds("{% for a in range(11) %}{% endfor %}", new JinjaOptions { MaxLoopIterations = 10 });
        Assert.Equal("", JinjaTemplate.Parse("{% for a in range(10) %}{% endfor %}", new JinjaOptions { MaxLoopIterations = 10 }).Render(new JsonObject()));
    }

    [Fact]
    public void Ranges_are_bounded_as_in_the_jinja_sandbox()
    {
        Assert.Contains("Range too big", Exceeds("{{ range(1000000)|length }}").Message);
    }

    [Fact]
    public void Huge_output_hits_the_output_limit()
    {
        var error = Exceeds("{% for i in range(100) %}{{ 'x' * 1000 }}{% endfor %}", new JinjaOptions { MaxOutputChars = 50_000 });
        Assert.Contains("MaxOutputChars", error.Message);
    }

    [Fact]
    public void String_repetition_cannot_allocate_past_the_output_limit()
    {
        Exceeds("{% set s = 'x' * 1000000000 %}");
    }

    [Fact]
    public void Unbounded_macro_recursion_hits_the_depth_limit()
    {
        var error = Exceeds("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
        Assert.Contains("MaxRecursionDepth", error.Message);
    }

    [Fact]
    public void Deep_nesting_is_refused_at_parse_time()
    {
        string deep = "{{ " + new string('(', 500) + "1" + new string(')', 500) + " }}";
        var error = Assert.Throws<TemplateSyntaxException>(() => JinjaTemplate.Parse(deep));
        Assert.Contains("MaxRecursionDepth", error.Message);
    }

    [Fact]
    public void Oversized_sources_are_refused()
    {
        var error = Assert.Throws<TemplateSyntaxException>(() => JinjaTemplate.Parse(new string('x', 101), new JinjaOptions { MaxSourceLength = 100 }));
        Assert.Contains("MaxSourceLength", error.Message);
    }

    [Fact]
    public void Rendering_honours_cancellation()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var template = JinjaTemplate.Parse("{% for i in range(10) %}{{ i }}{% endfor %}");
        Assert.ThrowsAny<OperationCanceledException>(() => template.Render(new JsonObject(), cts.Token));
    }
}
