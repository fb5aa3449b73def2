using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Wallfacer.Extensions.AI.Collaboration;

/// <summary>
/// The cascade's optional second opinion: the local model is shown its own answer and asked whether it is correct,
/// the reply forced into <c>{"correct": true|false}</c> by a JSON schema (so a small model cannot ramble), greedy.
/// </summary>
internal static class SelfCheck
{
    private static readonly JsonElement Schema = JsonDocument.Parse(
        """{"type": "object", "properties": {"correct": {"type": "boolean"}}, "required": ["correct"], "additionalProperties": false}""").RootElement;

    /// <summary>True when the model stands by its answer; false when it says it is wrong or its reply cannot be read.</summary>
    public static async Task<bool> ConfirmsAsync(IChatClient local, IReadOnlyList<ChatMessage> request, ChatResponse answer, string question,
        ChatOptions? options, CancellationToken ct)
    {
        List<ChatMessage> conversation = [.. request, .. answer.Messages, new ChatMessage(ChatRole.User, question)];
        var checkOptions = new ChatOptions
        {
            Instructions = options?.Instructions, Temperature = 0f, MaxOutputTokens = 24,
            ResponseFormat = ChatResponseFormat.ForJsonSchema(Schema, "self_check"),
        };
        var reply = await local.GetResponseAsync(conversation, checkOptions, ct).ConfigureAwait(false);
        try
        {
            using var doc = JsonDocument.Parse(reply.Text);
            return doc.RootElement.TryGetProperty("correct", out var correct) && correct.ValueKind == JsonValueKind.True;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
