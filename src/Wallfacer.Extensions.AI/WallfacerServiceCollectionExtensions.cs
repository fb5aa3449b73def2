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
