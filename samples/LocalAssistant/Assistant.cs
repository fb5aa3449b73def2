using Microsoft.Extensions.AI;
using Wallfacer.Extensions.AI.Tools;

namespace LocalAssistant;

/// <summary>One question answered with tools: the model's calls are run by the tool loop and shown as they happen.</summary>
internal sealed class Assistant(IChatClient model, AssistantTools tools, TextWriter log)
{
    public async Task<ChatResponse> AskAsync(string question, ChatToolMode mode, CancellationToken cancellationToken = default)
    {
        using var loop = new ToolLoopChatClient(model)
        {
            MaxIterations = 4,
            ToolModeAfterFirstRound = ChatToolMode.Auto, // a required call applies to the first answer only
            OnInvoked = (call, result) => log.WriteLine($"→ {call.Name}({string.Join(", ", call.Arguments?.Select(a => $"{a.Key}={a.Value}") ?? [])}) = {Short(result.Result)}"),
        };
        var options = new ChatOptions
        {
            Instructions = $"You are a local assistant. Use the tools when they help. Files are under {tools.Root}.",
            Tools = tools.All(), ToolMode = mode, MaxOutputTokens = 512, Temperature = 0.2f,
        };
        return await loop.GetResponseAsync(question, options, cancellationToken);
    }

    private static string Short(object? value)
    {
        string text = value?.ToString() ?? "null";
        return text.Length <= 120 ? text : text[..117] + "...";
    }
}
