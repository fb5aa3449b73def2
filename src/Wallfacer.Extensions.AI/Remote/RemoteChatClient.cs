using System.ClientModel;
using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AiFinishReason = Microsoft.Extensions.AI.ChatFinishReason;

namespace Wallfacer.Extensions.AI.Remote;

/// <summary>
/// An <see cref="IChatClient"/> over any OpenAI-compatible endpoint (OpenAI, vLLM, llama-server, Ollama, another
/// <c>wallfacer serve</c>), built on the official OpenAI .NET SDK: streaming, tools, response formats, a timeout
/// per exchange and retries with exponential backoff (the SDK's retry policy: 429, 5xx and network errors).
/// </summary>
public sealed class RemoteChatClient : IChatClient
{
    private readonly ChatClient _client;
    private readonly RemoteChatClientOptions _options;

    public RemoteChatClient(RemoteChatClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        var endpoint = options.Endpoint ?? throw new ArgumentException("RemoteChatClientOptions.Endpoint is not set.", nameof(options));
        var sdkOptions = new OpenAIClientOptions
        {
            Endpoint = endpoint,
            NetworkTimeout = options.Timeout,
            RetryPolicy = new ClientRetryPolicy(Math.Max(0, options.MaxRetries)),
        };
        _client = new ChatClient(options.Model, new ApiKeyCredential(options.ResolveApiKey()), sdkOptions);
        Metadata = new ChatClientMetadata("openai-compatible", endpoint, options.Model);
    }

    public ChatClientMetadata Metadata { get; }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<AiChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = OpenAiMessageMapper.ToOpenAi(messages, options?.Instructions);
        var settings = OpenAiMessageMapper.ToOpenAi(options);
        var calls = new SortedDictionary<int, (string? Id, string? Name, StringBuilder Arguments)>();
        AiFinishReason? finish = null;
        await foreach (var update in _client.CompleteChatStreamingAsync(request, settings, cancellationToken).ConfigureAwait(false))
        {
            foreach (var part in update.ContentUpdate)
            {
                if (!string.IsNullOrEmpty(part.Text))
                    yield return Stamp(new ChatResponseUpdate(ChatRole.Assistant, part.Text), update);
            }
            foreach (var call in update.ToolCallUpdates)
            {
                var entry = calls.TryGetValue(call.Index, out var existing) ? existing : (null, null, new StringBuilder());
                entry.Id ??= call.ToolCallId;
                entry.Name ??= call.FunctionName;
                if (call.FunctionArgumentsUpdate is { } args && !args.ToMemory().IsEmpty)
                    entry.Arguments.Append(args.ToString());
                calls[call.Index] = entry;
            }
            if (update.FinishReason is { } reason)
                finish = FinishReasonOf(reason);
            if (update.Usage is { } usage)
                yield return Stamp(new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(UsageOf(usage))]), update);
        }
        // Every OpenAI-compatible server ends a whole answer with a finish_reason; a stream that stops without
        // one was cut (a proxy timeout, a crashed worker) and its text is a fragment, not an answer.
        if (finish is null)
            throw new IOException("The remote stream ended before the answer was finished (no finish_reason).");
        var tail = new ChatResponseUpdate(ChatRole.Assistant, calls.Values.Select(c => (AIContent)ToFunctionCall(c)).ToList())
        {
            FinishReason = finish,
            ModelId = _options.Model,
        };
        yield return tail;
    }

    private ChatResponseUpdate Stamp(ChatResponseUpdate update, StreamingChatCompletionUpdate source)
    {
        update.ResponseId = source.CompletionId;
        update.MessageId = source.CompletionId;
        update.ModelId = source.Model ?? _options.Model;
        update.CreatedAt = source.CreatedAt;
        return update;
    }

    private static FunctionCallContent ToFunctionCall((string? Id, string? Name, StringBuilder Arguments) call)
    {
        string json = call.Arguments.Length > 0 ? call.Arguments.ToString() : "{}";
        Dictionary<string, object?>? arguments;
        try
        {
            arguments = JsonSerializer.Deserialize<Dictionary<string, object?>>(json, AIJsonUtilities.DefaultOptions);
        }
        catch (JsonException ex)
        {
            return new FunctionCallContent(call.Id ?? "", call.Name ?? "", null) { Exception = ex };
        }
        return new FunctionCallContent(call.Id ?? "", call.Name ?? "", arguments);
    }

    private static UsageDetails UsageOf(ChatTokenUsage usage) => new()
    {
        InputTokenCount = usage.InputTokenCount,
        OutputTokenCount = usage.OutputTokenCount,
        TotalTokenCount = usage.TotalTokenCount,
        CachedInputTokenCount = usage.InputTokenDetails?.CachedTokenCount,
    };

    private static AiFinishReason FinishReasonOf(OpenAI.Chat.ChatFinishReason reason) => reason switch
    {
        OpenAI.Chat.ChatFinishReason.Length => AiFinishReason.Length,
        OpenAI.Chat.ChatFinishReason.ToolCalls or OpenAI.Chat.ChatFinishReason.FunctionCall => AiFinishReason.ToolCalls,
        OpenAI.Chat.ChatFinishReason.ContentFilter => AiFinishReason.ContentFilter,
        _ => AiFinishReason.Stop,
    };

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
            return null;
        object[] parts = [this, Metadata, _client];
        return parts.FirstOrDefault(serviceType.IsInstanceOfType);
    }

    public void Dispose()
    {
    }
}
