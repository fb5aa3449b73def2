using System.Text.Json.Serialization;
using Wallfacer.Server.Collaboration;

namespace Wallfacer.Server.OpenAi.Dto;

/// <summary>
/// A chat completion, a text completion, or one streamed chunk of either (<c>object</c> says which):
/// the envelope OpenAI wraps every answer in. <c>usage</c> is present on whole answers and on the
/// stream's closing usage chunk; <c>wallfacer</c> carries the collaboration decision when there is one.
/// </summary>
internal sealed record CompletionResponse(
    string Id,
    string Object,
    long Created,
    string Model,
    IReadOnlyList<CompletionChoice> Choices,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Usage? Usage = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DecisionDto? Wallfacer = null);

/// <summary>
/// One choice: a chat answer has <c>message</c>, a chat chunk <c>delta</c>, a text completion (or its chunk)
/// <c>text</c>; <c>logprobs</c> and <c>finish_reason</c> are always present, null until known.
/// </summary>
internal sealed record CompletionChoice(
    int Index,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] AssistantMessage? Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ChatDelta? Delta,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Text,
    Logprobs? Logprobs,
    string? FinishReason);

/// <summary>The assistant's whole message: <c>content</c> is null (but present) when the answer is only tool calls.</summary>
internal sealed record AssistantMessage(
    string Role,
    string? Content,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ToolCallDto>? ToolCalls = null);

/// <summary>What a streamed chunk adds to the message; absent parts are left out (the last chunk's delta is <c>{}</c>).</summary>
internal sealed record ChatDelta(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Role = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Content = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ToolCallDto>? ToolCalls = null);

/// <summary>A function call; streamed calls carry their <c>index</c> in the message's list.</summary>
internal sealed record ToolCallDto(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Index,
    string Id,
    string Type,
    FunctionCallDto Function);

/// <summary>The called function's name and its arguments as a JSON string, as OpenAI sends them.</summary>
internal sealed record FunctionCallDto(string Name, string Arguments);

/// <summary>Token counts; <c>prompt_tokens_details.cached_tokens</c> counts the prompt prefix reused from a slot's cache.</summary>
internal sealed record Usage(long PromptTokens, long CompletionTokens, long TotalTokens, PromptTokensDetails PromptTokensDetails)
{
    public static Usage Of(long prompt, long completion, long cached) => new(prompt, completion, prompt + completion, new PromptTokensDetails(cached));
}

/// <summary>See <see cref="Usage"/>.</summary>
internal sealed record PromptTokensDetails(long CachedTokens);

/// <summary>The per-token log-probabilities of a choice (<c>logprobs.content</c>).</summary>
internal sealed record Logprobs(IReadOnlyList<TokenLogprob> Content);

/// <summary>
/// One token's text, log-probability and UTF-8 bytes (a list of numbers, as OpenAI sends them, not base64); the
/// sampled token also lists its <c>top_logprobs</c> alternatives, which do not nest further.
/// </summary>
internal sealed record TokenLogprob(
    string Token,
    float Logprob,
    IReadOnlyList<int> Bytes,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<TokenLogprob>? TopLogprobs = null);
