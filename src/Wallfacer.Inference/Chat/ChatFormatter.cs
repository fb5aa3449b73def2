using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Templates;

namespace Wallfacer.Inference.Chat;

/// <summary>
/// Renders a conversation into the exact prompt a model was trained on — the file's own
/// <c>tokenizer.chat_template</c>, or, when the file has none, a built-in format chosen from its special
/// tokens (logged) — and tokenizes it. Parsed once; rendering is thread-safe.
/// </summary>
public sealed class ChatFormatter
{
    /// <summary>GGUF key of the Jinja chat template (Hugging Face's <c>chat_template</c>).</summary>
    public const string TemplateKey = "tokenizer.chat_template";

    private readonly LanguageModel _model;
    private readonly JinjaTemplate _template;

    private ChatFormatter(LanguageModel model, JinjaTemplate template, string name, bool builtIn, string source)
    {
        _model = model;
        _template = template;
        ToolCallFormat = Tools.ToolCallFormats.Detect(source);
        RendersTools = source.Contains("tools", StringComparison.Ordinal);
        TemplateName = name;
        IsBuiltIn = builtIn;
    }

    /// <summary>Where the template came from: "gguf", "custom", or the built-in format's name.</summary>
    public string TemplateName { get; }

    /// <summary>True when the file had no template and a built-in format stands in.</summary>
    public bool IsBuiltIn { get; }

    /// <summary>Whether the template writes the <c>tools</c> variable; when not, <see cref="Render"/> describes them in the system message.</summary>
    public bool RendersTools { get; }

    /// <summary>The syntax this model's template uses for tool calls (read from the template's markers).</summary>
    public Tools.ToolCallFormat ToolCallFormat { get; }

    /// <summary>The formatter for <paramref name="model"/>; <paramref name="templateOverride"/> replaces the file's template.</summary>
    /// <exception cref="TemplateSyntaxException">The template does not parse.</exception>
    public static ChatFormatter ForModel(LanguageModel model, string? templateOverride = null, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        if (templateOverride is not null)
            return new ChatFormatter(model, JinjaTemplate.Parse(templateOverride), "custom", builtIn: false, templateOverride);
        string? source = model.Metadata.GetStringOrNull(TemplateKey);
        if (!string.IsNullOrEmpty(source))
            return new ChatFormatter(model, JinjaTemplate.Parse(source), "gguf", builtIn: false, source);

        var vocabulary = model.Tokenizer.Vocabulary;
        var (name, builtIn) = BuiltInChatTemplates.Choose(model.Config.Architecture, text => vocabulary.Find(text) is not null);
        logger.LogWarning("The model file has no {Key}; using the built-in '{Name}' chat format chosen from its vocabulary.",
            TemplateKey, name);
        return new ChatFormatter(model, JinjaTemplate.Parse(builtIn), name, builtIn: true, builtIn);
    }

    /// <summary>
    /// Renders <paramref name="messages"/> (OpenAI-style objects: role, content, tool_calls, …) with the
    /// variables transformers passes: tools, add_generation_prompt, bos/eos tokens, and any extras
    /// (e.g. <c>enable_thinking</c>).
    /// </summary>
    public string Render(JsonArray messages, JsonArray? tools = null, bool addGenerationPrompt = true,
        JsonObject? extraVariables = null, CancellationToken cancellationToken = default)
    {
        var variables = new JsonObject
        {
            ["messages"] = tools is { Count: > 0 } && !RendersTools ? WithToolsDescribed(WithArgumentObjects(messages), tools) : WithArgumentObjects(messages),
            ["tools"] = tools?.DeepClone(),
            ["documents"] = null,
            ["add_generation_prompt"] = addGenerationPrompt,
        };
        var vocabulary = _model.Tokenizer.Vocabulary;
        if (vocabulary.Bos is int bos)
            variables["bos_token"] = vocabulary.GetText(bos);
        if (vocabulary.Eos is int eos)
            variables["eos_token"] = vocabulary.GetText(eos);
        if (extraVariables is not null)
            foreach (var (key, value) in extraVariables)
                variables[key] = value?.DeepClone();
        return _template.Render(variables, cancellationToken);
    }

    /// <summary>
    /// For a template that ignores <c>tools</c>: the tools and the call syntax are described at the start of the
    /// system message (one is added when there is none), as llama.cpp's generic tool handler does.
    /// </summary>
    private JsonArray WithToolsDescribed(JsonArray messages, JsonArray tools)
    {
        var text = new System.Text.StringBuilder("You can call these functions. To call one, answer with ")
            .Append(ToolCallFormat.Name == "hermes" ? "<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>" : ToolCallFormat.Opening + " …")
            .Append(".\nFunctions:\n");
        foreach (var tool in tools)
            text.Append(tool?.ToJsonString()).Append('\n');
        if (messages.Count > 0 && messages[0]?["role"]?.GetValue<string>() == "system" && messages[0]!["content"] is JsonValue content
            && content.TryGetValue(out string? system))
        {
            messages[0]!["content"] = text + "\n" + system;
            return messages;
        }
        messages.Insert(0, new JsonObject { ["role"] = "system", ["content"] = text.ToString().TrimEnd() });
        return messages;
    }

    /// <summary>
    /// A copy of <paramref name="messages"/> in which tool-call arguments sent as JSON text (OpenAI's wire shape) are
    /// objects: templates write them with <c>tojson</c> or iterate their items, as transformers gives them.
    /// </summary>
    private static JsonArray WithArgumentObjects(JsonArray messages)
    {
        var copy = (JsonArray)messages.DeepClone();
        foreach (var message in copy)
        {
            if (message?["tool_calls"] is not JsonArray calls)
                continue;
            foreach (var call in calls)
            {
                if (call?["function"] is JsonObject function && function["arguments"] is JsonValue v
                    && v.TryGetValue(out string? text) && Tools.JsonPrefix.ArgumentsText(v) is { } json)
                    function["arguments"] = JsonNode.Parse(json);
            }
        }
        return copy;
    }

    /// <summary>
    /// Tokenizes a rendered prompt, special-token strings included. Templates usually write the BOS text
    /// themselves, so when the vocabulary asks for BOS the written one is replaced rather than doubled
    /// (llama.cpp does the same); EOS is never appended to a chat prompt.
    /// </summary>
    public int[] Tokenize(string prompt)
    {
        var vocabulary = _model.Tokenizer.Vocabulary;
        if (!(vocabulary.AddBos && vocabulary.Bos is int bos))
            return _model.Tokenizer.Encode(prompt, addSpecial: false, parseSpecial: true);
        string bosText = vocabulary.GetText(bos);
        if (bosText.Length > 0 && prompt.StartsWith(bosText, StringComparison.Ordinal))
            prompt = prompt[bosText.Length..];
        var body = _model.Tokenizer.Encode(prompt, addSpecial: false, parseSpecial: true);
        var tokens = new int[body.Length + 1];
        tokens[0] = bos;
        body.CopyTo(tokens, 1);
        return tokens;
    }
}
