using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Wallfacer.Models.Synthetic;
using Wallfacer.Numerics.Quants;
using Wallfacer.Server.Collaboration;

namespace Wallfacer.Server.Tests.Collaboration;

/// <summary>
/// Two synthetic chat models: "tiny" runs on the device, "big" (another shape and seed) plays the cloud in its own
/// <see cref="WallfacerServer"/>. Helpers start a collaborative server from a policy written as the docs show it.
/// </summary>
public sealed class CollaborationModels : IDisposable
{
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "wallfacer-tests");

    public CollaborationModels()
    {
        Directory.CreateDirectory(Folder);
        SyntheticModelWriter.Write(new SyntheticModelSpec
        {
            Architecture = "llama", EmbeddingLength = 128, BlockCount = 2, HeadCount = 4, KvHeadCount = 2,
            FeedForwardLength = 192, VocabSize = 600, WeightType = GgmlType.Q8_0, ContextLength = 2048, WeightScale = 0.3f,
            WithChatTemplate = true, Seed = 1,
        }, LocalPath);
        SyntheticModelWriter.Write(new SyntheticModelSpec
        {
            Architecture = "llama", EmbeddingLength = 192, BlockCount = 3, HeadCount = 6, KvHeadCount = 2,
            FeedForwardLength = 256, VocabSize = 600, WeightType = GgmlType.Q8_0, ContextLength = 4096, WeightScale = 0.3f,
            WithChatTemplate = true, Seed = 99,
        }, CloudPath);
    }

    public string LocalPath { get; } = Path.Combine(Folder, "local-" + Guid.NewGuid().ToString("N") + ".gguf");
    public string CloudPath { get; } = Path.Combine(Folder, "cloud-" + Guid.NewGuid().ToString("N") + ".gguf");

    /// <summary>The "cloud": a plain Wallfacer server with the bigger model, serving it as "big".</summary>
    public Task<WallfacerServer> StartCloudAsync(CancellationToken ct) => WallfacerServer.StartAsync(
        new ServerOptions { ModelPath = CloudPath, ModelId = "big", Port = 0, Parallel = 2, ContextLength = 2048, Threads = 1 }, cancellationToken: ct);

    /// <summary>A server running "tiny" locally and collaborating with <paramref name="cloud"/> under <paramref name="policyJson"/>.</summary>
    public Task<WallfacerServer> StartCollaborativeAsync(Uri cloud, string policyJson, CancellationToken ct, int contextLength = 512) =>
        WallfacerServer.StartAsync(new ServerOptions
        {
            ModelPath = LocalPath, ModelId = "tiny", Port = 0, Parallel = 2, ContextLength = contextLength, Threads = 1,
            Cloud = new CloudOptions { Endpoint = cloud, Model = "big", Policy = CollaborationPolicyFile.Parse(policyJson, "test policy") },
        }, cancellationToken: ct);

    /// <summary>A loopback port nobody listens on (bound, then released).</summary>
    public static Uri UnreachableEndpoint()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return new Uri($"http://127.0.0.1:{((IPEndPoint)socket.LocalEndpoint).Port}/v1");
    }

    public void Dispose()
    {
        foreach (string path in new[] { LocalPath, CloudPath })
            try { File.Delete(path); } catch (IOException) { }
    }
}

/// <summary>Raw HTTP to a server, bounded by the caller's token.</summary>
internal static class Http
{
    private static readonly HttpClient Client = new() { Timeout = Timeout.InfiniteTimeSpan }; // the tests' tokens bound every call

    public static JsonObject Chat(string user, int maxTokens = 6, JsonObject? extra = null)
    {
        var body = new JsonObject
        {
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = user }),
            ["max_tokens"] = maxTokens, ["temperature"] = 0, ["seed"] = 1,
        };
        foreach (var (key, value) in extra ?? [])
            body[key] = value?.DeepClone();
        return body;
    }

    public static async Task<(int Status, JsonNode Body)> PostAsync(WallfacerServer server, JsonObject body, CancellationToken ct)
    {
        using var response = await Client.PostAsync(server.Url + "/v1/chat/completions", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), ct);
        string text = await response.Content.ReadAsStringAsync(ct);
        return ((int)response.StatusCode, JsonNode.Parse(text)!);
    }

    /// <summary>A streamed chat completion: the concatenated content and the last chunk that carried a <c>wallfacer</c> object.</summary>
    public static async Task<(string Text, JsonNode? Wallfacer, string? Finish)> StreamAsync(WallfacerServer server, JsonObject body, CancellationToken ct)
    {
        body["stream"] = true;
        using var request = new HttpRequestMessage(HttpMethod.Post, server.Url + "/v1/chat/completions") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        var text = new StringBuilder();
        JsonNode? wallfacer = null;
        string? finish = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]")
                continue;
            var chunk = JsonNode.Parse(line[6..])!;
            wallfacer = chunk["wallfacer"]?.DeepClone() ?? wallfacer;
            foreach (var choice in chunk["choices"]!.AsArray())
            {
                text.Append((string?)choice!["delta"]?["content"]);
                finish = (string?)choice["finish_reason"] ?? finish;
            }
        }
        return (text.ToString(), wallfacer, finish);
    }

    public static async Task<string> MetricsAsync(WallfacerServer server, CancellationToken ct) =>
        await Client.GetStringAsync(server.Url + "/metrics", ct);

    /// <summary>How many chat completions a plain Wallfacer server (the "cloud") has answered, from its /metrics.</summary>
    public static async Task<int> ChatRequestsServedAsync(WallfacerServer server, CancellationToken ct)
    {
        string metrics = await MetricsAsync(server, ct);
        return metrics.Split('\n').Where(l => l.StartsWith("wallfacer_requests_total{route=\"/v1/chat/completions\"", StringComparison.Ordinal))
            .Sum(l => int.Parse(l[(l.LastIndexOf(' ') + 1)..]));
    }
}
