using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wallfacer.Inference.Engine;

namespace Wallfacer.Extensions.AI;

/// <summary>
/// Registers a local model as the app's <see cref="IChatClient"/> and
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>. The model file is mapped once, on first use, and
/// shared by both; everything is a singleton, disposed with the container.
/// </summary>
/// <example>
/// <code>
/// builder.Services.AddWallfacerChatClient(builder.Configuration.GetSection("Wallfacer"));
/// // appsettings.json: { "Wallfacer": { "ModelPath": "models/qwen2.5-0.5b-instruct-q4_k_m.gguf", "ContextLength": 4096 } }
/// </code>
/// </example>
public static class WallfacerServiceCollectionExtensions
{
    /// <summary>Adds the chat client with options set in code.</summary>
    public static IServiceCollection AddWallfacerChatClient(this IServiceCollection services,
        Action<WallfacerChatClientOptions> configure)
    {
        services.AddOptions<WallfacerChatClientOptions>().Configure(configure);
        return AddCore(services);
    }

    /// <summary>Adds the chat client with options bound from a configuration section (property names as in <see cref="WallfacerChatClientOptions"/>).</summary>
    public static IServiceCollection AddWallfacerChatClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WallfacerChatClientOptions>().Bind(configuration);
        return AddCore(services);
    }

    /// <summary>Adds the embedding generator over the same model (call after <c>AddWallfacerChatClient</c>, or alone with options).</summary>
    public static IServiceCollection AddWallfacerEmbeddingGenerator(this IServiceCollection services)
    {
        AddModel(services);
        services.AddSingleton<WallfacerEmbeddingGenerator>(sp =>
            new WallfacerEmbeddingGenerator(sp.GetRequiredService<LanguageModel>(),
                sp.GetRequiredService<IOptions<WallfacerChatClientOptions>>().Value.ContextLength));
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => sp.GetRequiredService<WallfacerEmbeddingGenerator>());
        return services;
    }

    /// <summary>
    /// Makes the registered <see cref="IChatClient"/> collaborative: the local client (register it first with
    /// <c>AddWallfacerChatClient</c>) plus a remote OpenAI-compatible one, under the given policies.
    /// Configuration: a "Remote" section (<see cref="Remote.RemoteChatClientOptions"/>) and a "Policy" section
    /// (<see cref="Collaboration.CollaborationOptions"/>).
    /// </summary>
    public static IServiceCollection AddWallfacerCollaboration(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<Remote.RemoteChatClientOptions>().Bind(configuration.GetSection("Remote"));
        services.AddOptions<Collaboration.CollaborationOptions>().Bind(configuration.GetSection("Policy"));
        services.AddSingleton(sp => new Remote.RemoteChatClient(sp.GetRequiredService<IOptions<Remote.RemoteChatClientOptions>>().Value));
        services.AddSingleton(sp => new Collaboration.CollaborativeChatClient(
            sp.GetRequiredService<WallfacerChatClient>(),
            sp.GetRequiredService<Remote.RemoteChatClient>(),
            sp.GetRequiredService<IOptions<Collaboration.CollaborationOptions>>().Value,
            sp.GetService<ILoggerFactory>()?.CreateLogger<Collaboration.CollaborativeChatClient>()));
        services.AddSingleton<IChatClient>(sp => sp.GetRequiredService<Collaboration.CollaborativeChatClient>());
        return services;
    }

    private static IServiceCollection AddCore(IServiceCollection services)
    {
        AddModel(services);
        services.AddSingleton<WallfacerChatClient>(sp => new WallfacerChatClient(
            sp.GetRequiredService<LanguageModel>(),
            sp.GetRequiredService<IOptions<WallfacerChatClientOptions>>().Value,
            sp.GetService<ILoggerFactory>()?.CreateLogger<WallfacerChatClient>()));
        services.AddSingleton<IChatClient>(sp => sp.GetRequiredService<WallfacerChatClient>());
        return services;
    }

    private static void AddModel(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(LanguageModel)))
            return;
        services.AddSingleton(sp => WallfacerModelFactory.Load(sp.GetRequiredService<IOptions<WallfacerChatClientOptions>>().Value));
    }
}
