using System.Text.Json.Nodes;

namespace Wallfacer.Inference.Templates;

/// <summary>
/// A Hugging Face chat template, parsed once and rendered many times, byte for byte as transformers'
/// <c>apply_chat_template(tokenize=False)</c> renders it: jinja2 3.1's
/// <c>ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)</c> with loop controls, the
/// <c>generation</c> block, <c>raise_exception</c>, <c>strftime_now</c> and transformers' <c>tojson</c>.
/// </summary>
/// <example><code>
/// var template = JinjaTemplate.Parse(source);
/// string prompt = template.Render(new JsonObject { ["messages"] = messages, ["add_generation_prompt"] = true });
/// </code></example>
public sealed class JinjaTemplate
{
    private readonly Stmt[] _body;
    private readonly JinjaOptions _options;

    private JinjaTemplate(Stmt[] body, JinjaOptions options)
    {
        _body = body;
        _options = options;
    }

    /// <summary>Parses <paramref name="source"/>; throws <see cref="TemplateSyntaxException"/> naming line and column.</summary>
    public static JinjaTemplate Parse(string source, JinjaOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= JinjaOptions.Default;
        if (source.Length > options.MaxSourceLength)
            throw new TemplateSyntaxException($"the template has {source.Length} characters, more than the limit of {options.MaxSourceLength} (JinjaOptions.MaxSourceLength)", 1, 1);
        return new JinjaTemplate(Parser.Parse(new SourceText(source), options.MaxRecursionDepth), options);
    }

    /// <summary>
    /// Renders with <paramref name="variables"/> as the template's globals (<c>messages</c>, <c>tools</c>,
    /// <c>add_generation_prompt</c>, <c>bos_token</c>, ...). A name absent from the object is undefined.
    /// Throws <see cref="TemplateRenderException"/>; cancellation throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public string Render(JsonObject variables, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var root = new Scope(null);
        foreach (var pair in variables)
            root.Set(pair.Key, JsonValues.ToPython(pair.Value));
        try
        {
            return new Interpreter(_options, cancellationToken).Render(_body, new Scope(root));
        }
        catch (InsufficientExecutionStackException e)
        {
            throw new TemplateRenderException(TemplateErrorKind.LimitExceeded, "the template recursed too deeply: " + e.Message);
        }
    }
}
