using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Wallfacer.Server.OpenAi;

/// <summary>
/// Writes server-sent events the way OpenAI streams: <c>data: {json}</c> per event, flushed at once so each token
/// reaches the client as it is generated, and <c>data: [DONE]</c> at the end.
/// </summary>
internal static class ServerSentEvents
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    public static void Start(HttpResponse response)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
    }

    public static async Task SendAsync<T>(HttpResponse response, T payload, JsonTypeInfo<T> typeInfo, CancellationToken ct)
    {
        await response.Body.WriteAsync(DataPrefix, ct);
        await JsonSerializer.SerializeAsync(response.Body, payload, typeInfo, ct);
        await response.Body.WriteAsync(EventEnd, ct);
        await response.Body.FlushAsync(ct);
    }

    public static async Task EndAsync(HttpResponse response, CancellationToken ct)
    {
        await response.Body.WriteAsync(Done, ct);
        await response.Body.FlushAsync(ct);
    }
}
