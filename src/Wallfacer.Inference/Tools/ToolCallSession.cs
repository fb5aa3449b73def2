using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Wallfacer.Inference.Engine;
using Wallfacer.Tokenizers;

namespace Wallfacer.Inference.Tools;

/// <summary>
/// Function calling for one request: what the template is given, the grammar that switches on when the model opens a
/// call (at once when a call is required), and reading the calls back from the output, streamed or whole.
/// </summary>
/// <remarks>
/// A marker that is a special token in the vocabulary (Mistral's <c>[TOOL_CALLS]</c>, MiniCPM's
/// <c>&lt;|tool_call_start|&gt;</c>) cannot be written by a grammar, which spells text: an opening marker then
/// triggers the grammar as a token, or — when a call is required — is written into the prompt; a closing marker
/// ends generation like end-of-generation does.
/// </remarks>
public sealed class ToolCallSession
{
    private readonly Vocabulary _vocabulary;
    private readonly int? _openingToken, _closingToken;

    private ToolCallSession(ToolCallFormat format, IReadOnlyList<ToolDefinition> tools, ToolChoice choice, bool parallel, Vocabulary vocabulary)
    {
        Format = format;
        Tools = tools;
        Choice = choice;
        Parallel = parallel;
        _vocabulary = vocabulary;
        _openingToken = SpecialToken(format.Opening);
        _closingToken = SpecialToken(format.Closing);
        bool required = choice.Mode is ToolChoiceMode.Required or ToolChoiceMode.Function;
        PromptSuffix = required && _openingToken is not null ? format.Opening : "";
    }

    public ToolCallFormat Format { get; }

    /// <summary>The tools the model may call (only the named one when <see cref="ToolChoiceMode.Function"/>).</summary>
    public IReadOnlyList<ToolDefinition> Tools { get; }

    public ToolChoice Choice { get; }

    public bool Parallel { get; }

    /// <summary>Text to append to the rendered prompt (the opening marker, when a call is required and it is a special token).</summary>
    public string PromptSuffix { get; }

    /// <summary>
    /// The session for a request, or null when the model is not to see tools at all (none given, or
    /// <c>tool_choice: none</c>).
    /// </summary>
    public static ToolCallSession? Create(ToolCallFormat format, IReadOnlyList<ToolDefinition> tools, ToolChoice choice, bool parallel, Vocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(tools);
        ArgumentNullException.ThrowIfNull(choice);
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (tools.Count == 0 || choice.Mode == ToolChoiceMode.None)
            return null;
        var callable = choice.Mode == ToolChoiceMode.Function ? tools.Where(t => t.Name == choice.FunctionName).ToList() : tools;
        if (callable.Count == 0)
            throw new ToolCallException($"tool_choice: the function '{choice.FunctionName}' is not among the tools.");
        return new ToolCallSession(format, callable, choice, parallel, vocabulary);
    }

    /// <summary>The template's <c>tools</c> variable: every tool of the request, in OpenAI's shape.</summary>
    public JsonArray TemplateTools() => [.. Tools.Select(t => (JsonNode)t.ToOpenAi())];

    /// <summary>
    /// <paramref name="options"/> with the call grammar: lazy behind the opening marker when calls are optional, from
    /// the first token when one is required.
    /// </summary>
    /// <exception cref="Grammar.GrammarException">A tool's schema uses a feature that cannot be enforced (named).</exception>
    /// <exception cref="ToolCallException">The request also asks for its own grammar or response format.</exception>
    public GenerationOptions Apply(GenerationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Grammar is not null)
            throw new ToolCallException("tools cannot be combined with a grammar or a response_format: the tool-call grammar needs the output.");
        bool required = Choice.Mode is ToolChoiceMode.Required or ToolChoiceMode.Function;
        bool openingInPrompt = PromptSuffix.Length > 0;
        var grammar = Format.Grammar(Tools, Parallel, withOpening: !openingInPrompt, withClosing: _closingToken is null);
        var extraEnds = _closingToken is int close ? [.. options.ExtraEndTokens, close] : options.ExtraEndTokens;
        if (required)
            return options with { Grammar = grammar, ExtraEndTokens = extraEnds };
        return _openingToken is int open
            ? options with { Grammar = grammar, GrammarTriggerTokens = [open], ExtraEndTokens = extraEnds }
            : options with { Grammar = grammar, GrammarTriggers = [Format.Trigger], ExtraEndTokens = extraEnds };
    }

    /// <summary>Streams an answer: content is passed on until a call opens, then held for <see cref="Finish"/>.</summary>
    public ToolCallStreamSplitter CreateSplitter() => new(PromptSuffix.Length > 0 ? "" : Format.Trigger, startInCall: PromptSuffix.Length > 0);

    /// <summary>Reads the calls in a complete output (the text generated after the prompt); each call gets an id.</summary>
    public (string Content, IReadOnlyList<ToolCall> Calls) Finish(string output)
    {
        var parse = Format.Parse(PromptSuffix + output);
        if (parse.Calls.Count == 0)
            return (PromptSuffix.Length > 0 ? output : parse.Content, []);
        var calls = parse.Calls.Select(c => new ToolCall(c.Id ?? NewId(), c.Name, c.Arguments)).ToList();
        return (parse.Content, calls);
    }

    /// <summary>
    /// After streaming through <paramref name="splitter"/>: the content not yet passed on (a held-back trigger prefix,
    /// or a call section that did not parse, which is then content) and the calls.
    /// </summary>
    public (string RemainingContent, IReadOnlyList<ToolCall> Calls) Finish(ToolCallStreamSplitter splitter)
    {
        ArgumentNullException.ThrowIfNull(splitter);
        var (content, calls) = Finish(splitter.Output);
        string rest = splitter.InCall && calls.Count == 0 ? content[Math.Min(content.Length, splitter.ContentLength)..] : splitter.Flush();
        return (rest, calls);
    }

    private int? SpecialToken(string text)
    {
        if (text.Length == 0 || _vocabulary.Find(text) is not int id)
            return null;
        return _vocabulary.IsControl(id) ? id : null;
    }

    /// <summary>An id in Mistral's shape (nine letters or digits), which every other format accepts too.</summary>
    private static string NewId()
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        return RandomNumberGenerator.GetString(alphabet, 9);
    }
}
