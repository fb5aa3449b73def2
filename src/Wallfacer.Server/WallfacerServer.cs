using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Scheduling;
using Wallfacer.Server.Collaboration;
using Wallfacer.Server.Endpoints;
using Wallfacer.Server.OpenAi;

namespace Wallfacer.Server;

/// <summary>
/// The OpenAI-compatible server: Kestrel on loopback by default, one model, continuous batching over
/// <see cref="ServerOptions.Parallel"/> slots, OpenAI-shaped errors for everything a client can get wrong.
/// </summary>
public sealed class WallfacerServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ServedModel _served;
    private readonly CloudCollaboration? _cloud;

    private WallfacerServer(WebApplication app, ServedModel served, CloudCollaboration? cloud)
    {
        _app = app;
        _served = served;
        _cloud = cloud;
    }

    /// <summary>The address it listens on, e.g. <c>http://127.0.0.1:8080</c>.</summary>
    public string Url => _app.Urls.First();

    public ServedModel Model => _served;

    /// <summary>The cloud this server collaborates with (<see cref="ServerOptions.Cloud"/>), or null when it serves only the local model.</summary>
    public CloudCollaboration? Collaboration => _cloud;

    /// <summary>Loads the model, binds and starts serving.</summary>
    public static async Task<WallfacerServer> StartAsync(ServerOptions options, Action<ILoggingBuilder>? logging = null,
        CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.WebHost.UseUrls($"http://{options.Host}:{options.Port}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxBodyBytes);
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(10));
        if (options.CorsOrigins.Count > 0)
            builder.Services.AddCors(c => c.AddDefaultPolicy(p => AllowOrigins(p, options.CorsOrigins)));
        var app = builder.Build();
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var served = new ServedModel(options, loggers.CreateLogger("Wallfacer.Server"));
        CloudCollaboration? cloud = null;
        try
        {
            cloud = options.Cloud is { } c ? new CloudCollaboration(c, loggers) : null;
            if (options.CorsOrigins.Count > 0)
                app.UseCors(); // before the key check: a browser's preflight carries no credentials
            Map(app, served, new ApiKeyCheck(options.ApiKeys), cloud);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            return new WallfacerServer(app, served, cloud);
        }
        catch
        {
            cloud?.Dispose();
            served.Dispose();
            throw;
        }
    }

    private static void AllowOrigins(Microsoft.AspNetCore.Cors.Infrastructure.CorsPolicyBuilder policy, IReadOnlyList<string> origins)
    {
        if (origins.Contains("*"))
            policy.AllowAnyOrigin();
        else
            policy.WithOrigins([.. origins]);
        policy.WithMethods("GET", "POST").WithHeaders("Authorization", "Content-Type");
    }

    private static void Map(WebApplication app, ServedModel served, ApiKeyCheck keys, CloudCollaboration? cloud)
    {
        app.Use(async (http, next) =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await next(http);
            // The route pattern, not the raw path: a client cannot grow the metrics by inventing URLs.
            string route = (http.GetEndpoint() as Microsoft.AspNetCore.Routing.RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            served.Metrics.RecordRequest(route, http.Response.StatusCode, clock.Elapsed);
        });
        app.Use(async (http, next) =>
        {
            if (!keys.Allows(http))
            {
                await ApiKeyCheck.Rejection(http).ToResult().ExecuteAsync(http);
                return;
            }
            try
            {
                await next(http);
            }
            catch (Exception ex) when (!http.Response.HasStarted && ToError(ex) is { } error)
            {
                if (error.Status == 429)
                    http.Response.Headers.RetryAfter = "1";
                await error.ToResult().ExecuteAsync(http);
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
                // The client went away; its request was cancelled and its slot freed.
            }
        });
        // With --cloud, chat completions go through the collaborative path (Collaboration/); everything else is unchanged.
        app.MapPost("/v1/chat/completions", (HttpContext http) => cloud is null
            ? ChatCompletionsEndpoint.Handle(http, served)
            : CollaborativeChatEndpoint.Handle(http, served, cloud));
        app.MapPost("/v1/completions", (HttpContext http) => CompletionsEndpoint.Handle(http, served));
        app.MapPost("/v1/embeddings", (HttpContext http) => EmbeddingsEndpoint.Handle(http, served));
        app.MapGet("/v1/models", () => ModelsEndpoint.List(served));
        app.MapGet("/health", () => ModelsEndpoint.Health(served));
        app.MapGet("/metrics", () => Results.Text(served.Metrics.Render(served) + cloud?.Metrics.Render(), "text/plain; version=0.0.4"));
        app.MapGet("/", () => Results.Content(ChatPage.Html, "text/html; charset=utf-8"));
    }

    private static OpenAiError? ToError(Exception ex) => ex switch
    {
        OpenAiError e => e,
        QueueFullException q => new OpenAiError(429, q.Message, "rate_limit_error", code: "queue_full"),
        ContextFullException c => OpenAiError.BadRequest(c.Message, "messages"),
        BadHttpRequestException { StatusCode: 413 } => new OpenAiError(413, "The request body is larger than the server accepts.", code: "request_too_large"),
        BadHttpRequestException b => new OpenAiError(b.StatusCode, b.Message),
        Inference.Templates.TemplateException t => OpenAiError.BadRequest("The chat template failed on these messages: " + t.Message, "messages"),
        _ => null,
    };

    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    /// <summary>Runs until the host is told to stop (Ctrl+C, SIGTERM).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync().ConfigureAwait(false);
        _cloud?.Dispose();
        _served.Dispose();
    }
}
