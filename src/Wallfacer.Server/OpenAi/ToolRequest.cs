using System.Text.Json;
using System.Text.Json.Nodes;
using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Grammar;
using Wallfacer.Inference.Tools;

namespace Wallfacer.Server.OpenAi;

/// <summary>Reads <c>tools</c>, <c>tool_choice</c> and <c>parallel_tool_calls</c> into the request's tool-call session.</summary>
internal static class ToolRequest
{
    /// <summary>The session, or null when the request has no tools (or <c>tool_choice: "none"</c>).</summary>
    public static ToolCallSession? Read(JsonElement body, ServedModel served)
    {
        if (!RequestReader.Has(body, "tools"))
        {
            if (RequestReader.Has(body, "tool_choice") && body.GetProperty("tool_choice") is { ValueKind: JsonValueKind.String } c && c.GetString() is "required")
                throw OpenAiError.BadRequest("tool_choice: a tool call is required but no tools were given.", "tool_choice");
            return null;
        }
        if (body.GetProperty("tools").ValueKind != JsonValueKind.Array)
            throw OpenAiError.BadRequest("tools must be an array.", "tools");
        try
        {
            var tools = ToolDefinition.FromOpenAi(JsonNode.Parse(body.GetProperty("tools").GetRawText())!.AsArray());
            var choice = ToolChoice.FromOpenAi(RequestReader.Has(body, "tool_choice") ? JsonNode.Parse(body.GetProperty("tool_choice").GetRawText()) : null, tools);
            bool parallel = RequestReader.Boolean(body, "parallel_tool_calls") ?? true;
            return ToolCallSession.Create(served.Formatter.ToolCallFormat, tools, choice, parallel, served.Model.Tokenizer.Vocabulary);
        }
        catch (ToolCallException e)
        {
            throw OpenAiError.BadRequest(e.Message, e.Message.StartsWith("tool_choice", StringComparison.Ordinal) ? "tool_choice" : "tools");
        }
    }

    /// <summary>The generation options with the call grammar; an unenforceable argument schema is a 400 naming it.</summary>
    public static GenerationOptions Apply(ToolCallSession? tools, GenerationOptions options)
    {
        if (tools is null)
            return options;
        try
        {
            return tools.Apply(options);
        }
        catch (GrammarException e)
        {
            throw OpenAiError.BadRequest("tools: a function's parameters cannot be enforced: " + e.Message, "tools");
        }
        catch (ToolCallException e)
        {
            throw OpenAiError.BadRequest(e.Message, "tools");
        }
    }
}
