using System.Text.Json;
using Microsoft.Extensions.AI;
using Wallfacer.Inference.Chat;
using Wallfacer.Inference.Tools;
using Wallfacer.Tokenizers;

namespace Wallfacer.Extensions.AI;

/// <summary><see cref="ChatOptions.Tools"/> and <see cref="ChatOptions.ToolMode"/> → the engine's tool-call session, and calls back.</summary>
internal static class ToolCalling
{
    /// <summary>The session for a request, or null when it gives no tools or <see cref="ChatToolMode.None"/>.</summary>
    /// <exception cref="ArgumentException">A tool or the tool mode cannot be honoured (the message names it).</exception>
    public static ToolCallSession? SessionFor(ChatOptions? options, ChatFormatter formatter, Vocabulary vocabulary)
    {
        var declared = ChatMessageMapper.ToTemplateTools(options?.Tools);
        if (declared is null)
        {
            if (options?.ToolMode is RequiredChatToolMode)
                throw new ArgumentException("ChatOptions.ToolMode requires a tool call but ChatOptions.Tools is empty.", nameof(options));
            return null;
        }
        try
        {
            var tools = ToolDefinition.FromOpenAi(declared);
            var choice = options!.ToolMode switch
            {
                NoneChatToolMode => ToolChoice.None,
                RequiredChatToolMode { RequiredFunctionName: { } name } => ToolChoice.Function(name),
                RequiredChatToolMode => ToolChoice.Required,
                _ => ToolChoice.Auto,
            };
            if (choice.Mode == ToolChoiceMode.Function && !tools.Any(t => t.Name == choice.FunctionName))
                throw new ToolCallException($"ChatOptions.ToolMode names '{choice.FunctionName}', which is not among ChatOptions.Tools.");
            return ToolCallSession.Create(formatter.ToolCallFormat, tools, choice, options.AllowMultipleToolCalls ?? true, vocabulary);
        }
        catch (ToolCallException e)
        {
            throw new ArgumentException(e.Message, nameof(options), e);
        }
    }

    /// <summary>A call as <see cref="FunctionCallContent"/>, its arguments as JSON values (as the OpenAI client gives them).</summary>
    public static FunctionCallContent ToContent(ToolCall call) =>
        new(call.Id, call.Name, JsonSerializer.Deserialize<Dictionary<string, object?>>(call.Arguments, AIJsonUtilities.DefaultOptions));
}
