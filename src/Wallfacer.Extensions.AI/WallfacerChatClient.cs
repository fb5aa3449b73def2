using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Wallfacer.Inference.Chat;
using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Scheduling;
using Wallfacer.Tokenizers;

namespace Wallfacer.Extensions.AI;

/// <summary>
/// An <see cref="IChatClient"/> over a local GGUF model. Each request renders the conversation with the
/// model's own chat template, leases a session from a <see cref="SessionPool"/> (the one holding the longest
/// prefix of the prompt, so a conversation's next turn evaluates only its new tokens) and streams tokens.
/// </summary>
/// <remarks>
/// Concurrency: the client is thread-safe and meant to be shared (register it as a singleton). The model's
/// weights are shared read-only; every request runs in its own session, so requests never see each other's
/// state and give the same tokens alone or side by side. At most
/// <see cref="WallfacerChatClientOptions.MaxParallel"/> requests generate at once; the rest wait in order.
/// Cancelling a request's token stops its generation before the next token.
/// </remarks>
public sealed class WallfacerChatClient : IChatClient
{
    private readonly LanguageModel _model;
    private readonly bool _ownsModel;
    private readonly WallfacerChatClientOptions _options;
    private readonly ChatFormatter _formatter;
    private readonly SessionPool _pool;
    private readonly ConversationStore _conversations;
    private readonly ILogger _logger;

    /// <summary>A client over an already loaded model, which it does not dispose.</summary>
    public WallfacerChatClient(LanguageModel model, WallfacerChatClientOptions? options = null, ILogger? logger = null)
        : this(model, ownsModel: false, options ?? new WallfacerChatClientOptions(), logger)
    {
    }

    private WallfacerChatClient(LanguageModel model, bool ownsModel, WallfacerChatClientOptions options, ILogger? logger)
    {
        _model = model;
        _ownsModel = ownsModel;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _formatter = ChatFormatter.ForModel(model, options.ChatTemplate, _logger);
        _pool = new SessionPool(model, WallfacerModelFactory.PoolOptions(options));
        _conversations = new ConversationStore(Math.Max(1, options.MaxStoredConversations));
        string modelId = options.ModelId ?? WallfacerModelFactory.ModelIdOf(model);
        Metadata = new ChatClientMetadata("wallfacer", WallfacerModelFactory.UriOf(model), modelId);
    }

    /// <summary>Loads <see cref="WallfacerChatClientOptions.ModelPath"/>; the client owns the model and disposes it.</summary>
    public static WallfacerChatClient Load(WallfacerChatClientOptions options, ILogger? logger = null)
    {
        var model = WallfacerModelFactory.Load(options);
        try
        {
            return new WallfacerChatClient(model, ownsModel: true, options, logger);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public ChatClientMetadata Metadata { get; }

    /// <summary>
    /// Key of the <see cref="Wallfacer.Inference.Engine.GenerationConfidence"/> in the response's (and the last
    /// update's) <c>AdditionalProperties</c>: how sure the model was of its answer.
    /// </summary>
    public const string ConfidenceKey = "wallfacer.confidence";

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            updates.Add(update);
        var response = updates.ToChatResponse();
        // The confidence rides on the last update; surface it on the response itself, where callers look.
        if (updates.LastOrDefault()?.AdditionalProperties?.TryGetValue(ConfidenceKey, out object? confidence) == true)
            (response.AdditionalProperties ??= [])[ConfidenceKey] = confidence;
        return response;
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? conversationId = options?.ConversationId;
        var history = conversationId is null ? messages.ToList() : _conversations.History(conversationId, messages);
        var tools = ToolCalling.SessionFor(options, _formatter, _model.Tokenizer.Vocabulary);
        var prompt = Render(history, options, tools, cancellationToken);
        string responseId = Guid.NewGuid().ToString("N");
        string modelId = Metadata.DefaultModelId!;
        var created = DateTimeOffset.UtcNow;
        var reply = new System.Text.StringBuilder();

        using var lease = await _pool.AcquireAsync(prompt, conversationId, cancellationToken).ConfigureAwait(false);
        var session = lease.Session;
        if (prompt.Length >= session.ContextLength)
            throw new ContextFullException(0, prompt.Length, session.ContextLength);
        var generation = ChatOptionsMapper.ToGeneration(options, MaxTokens(options, prompt.Length, session));
        var run = TextGenerator.Start(session, prompt, tools is null ? generation : tools.Apply(generation));
        var splitter = tools?.CreateSplitter();
        _logger.LogDebug("Chat request {ResponseId}: {Prompt} prompt tokens.", responseId, prompt.Length);

        await foreach (var step in run.StepsAsync(cancellationToken).ConfigureAwait(false))
        {
            // With tools, text is passed on until the model opens a call; the calls come whole at the end.
            string piece = splitter is null ? step.Text : splitter.Push(step.Text);
            if (piece.Length == 0)
                continue;
            reply.Append(piece);
            yield return Update(new ChatResponseUpdate(ChatRole.Assistant, piece));
        }
        List<AIContent> calls = [];
        if (splitter is not null)
        {
            var (rest, toolCalls) = tools!.Finish(splitter);
            if (rest.Length > 0)
            {
                reply.Append(rest);
                yield return Update(new ChatResponseUpdate(ChatRole.Assistant, rest));
            }
            calls = [.. toolCalls.Select(ToolCalling.ToContent)];
            if (calls.Count > 0)
                yield return Update(new ChatResponseUpdate(ChatRole.Assistant, calls));
        }

        _logger.LogDebug("Chat request {ResponseId}: {Cached} cached + {Evaluated} evaluated prompt tokens, {Output} output tokens, {Finish}.",
            responseId, run.CachedPromptTokens, prompt.Length - run.CachedPromptTokens, run.GeneratedTokenCount, run.FinishReason);
        if (conversationId is not null)
            _conversations.Save(conversationId, [.. history, new ChatMessage(ChatRole.Assistant, [new TextContent(reply.ToString()), .. calls])]);
        yield return Update(new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(Usage(run, prompt.Length))])
        {
            FinishReason = calls.Count > 0 ? ChatFinishReason.ToolCalls : FinishReasonOf(run.FinishReason),
            AdditionalProperties = new() { [ConfidenceKey] = run.Confidence },
        });

        ChatResponseUpdate Update(ChatResponseUpdate update)
        {
            update.ResponseId = responseId;
            update.MessageId = responseId;
            update.ConversationId = conversationId;
            update.ModelId = modelId;
            update.CreatedAt = created;
            return update;
        }
    }

    private int[] Render(List<ChatMessage> history, ChatOptions? options, Inference.Tools.ToolCallSession? tools, CancellationToken cancellationToken)
    {
        var messages = ChatMessageMapper.ToTemplateMessages(history, options?.Instructions);
        string text = _formatter.Render(messages, tools?.TemplateTools(), addGenerationPrompt: true,
            ChatOptionsMapper.TemplateVariables(options), cancellationToken);
        return _formatter.Tokenize(text + tools?.PromptSuffix);
    }

    private int MaxTokens(ChatOptions? options, int promptLength, InferenceSession session)
    {
        int room = session.ContextLength - promptLength;
        int asked = options?.MaxOutputTokens ?? (_options.DefaultMaxOutputTokens > 0 ? _options.DefaultMaxOutputTokens : room);
        if (asked < 0)
            throw new ArgumentOutOfRangeException(nameof(options), asked, "ChatOptions.MaxOutputTokens must not be negative.");
        return Math.Min(asked, room);
    }

    private static UsageDetails Usage(GenerationRun run, int promptTokens) => new()
    {
        InputTokenCount = promptTokens,
        CachedInputTokenCount = run.CachedPromptTokens,
        OutputTokenCount = run.GeneratedTokenCount,
        TotalTokenCount = promptTokens + run.GeneratedTokenCount,
    };

    private static ChatFinishReason FinishReasonOf(FinishReason reason) => reason switch
    {
        FinishReason.EndOfGeneration or FinishReason.StopString => ChatFinishReason.Stop,
        _ => ChatFinishReason.Length,
    };

    /// <summary>
    /// The client's parts: <see cref="ChatClientMetadata"/>, <see cref="LanguageModel"/>, <see cref="ITokenizer"/>,
    /// <see cref="ChatFormatter"/>, <see cref="SessionPool"/>, or the client itself.
    /// </summary>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
            return null;
        object?[] parts = [this, Metadata, _model, _model.Tokenizer, _formatter, _pool];
        return parts.FirstOrDefault(serviceType.IsInstanceOfType);
    }

    public void Dispose()
    {
        _pool.Dispose();
        if (_ownsModel)
            _model.Dispose();
    }
}
