using System.IO.Pipelines;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Wallfacer.Server.Tests.Collaboration;

/// <summary>What the fake cloud does with a chat completion.</summary>
public enum CloudFault
{
    /// <summary>Answers normally (echo, fixed text, or the upstream's answer).</summary>
    None,
    /// <summary>HTTP 500 with an OpenAI-shaped error, every time.</summary>
    ServerError,
    /// <summary>Accepts the request and never answers (until the client gives up).</summary>
    Hang,
    /// <summary>Streams the first piece, then aborts the connection.</summary>
    CutStream,
    /// <summary>Streams the first piece, then ends the response cleanly without finish_reason or [DONE].</summary>
    EndWithoutFinish,
    /// <summary>Sends the headers and the role chunk, waits <see cref="FaultyCloud.FirstTokenDelay"/>, then answers.</summary>
    SlowFirstToken,
}

/// <summary>
/// A fake cloud: a small Kestrel app on loopback speaking OpenAI's chat completions (SSE or JSON). It records every
/// byte it receives at the connection level (request lines, headers, bodies), so a privacy test can search the raw
/// traffic, and the decoded request bodies. It answers by echoing the last user message (so placeholders come
/// back and can be restored), with a fixed text, or by relaying to an upstream server (a real Wallfacer "cloud"),
/// and injects the faults of <see cref="CloudFault"/>.
/// </summary>
public sealed class FaultyCloud : IAsyncDisposable
{
    private static readonly HttpClient Relay = new() { Timeout = TimeSpan.FromMinutes(2) };
    private readonly MemoryStream _received = new();
    private readonly List<string> _bodies = [];
    private WebApplication? _app;

    public CloudFault Fault { get; set; }
    public TimeSpan FirstTokenDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>When set, the answer; otherwise "You said: " + the last user message.</summary>
    public string? Answer { get; set; }

    /// <summary>When set (a server's base URL), requests without a fault are relayed there and its answer returned.</summary>
    public string? Upstream { get; set; }

    public Uri Endpoint { get; private set; } = null!;

    public static async Task<FaultyCloud> StartAsync(CancellationToken ct)
    {
        var cloud = new FaultyCloud();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.Use(next => connection =>
        {
            // Tee the connection's input: everything the client sends passes through the recorder first.
            var transport = connection.Transport;
            connection.Transport = new Duplex(PipeReader.Create(new RecordingStream(transport.Input.AsStream(), cloud)), transport.Output);
            return next(connection);
        })));
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", cloud.Handle);
        await app.StartAsync(ct);
        cloud._app = app;
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        cloud.Endpoint = new Uri(address + "/v1");
        return cloud;
    }

    /// <summary>Every byte received on every connection, in arrival order.</summary>
    public byte[] ReceivedBytes
    {
        get { lock (_received) return _received.ToArray(); }
    }

    /// <summary>The request bodies, as received.</summary>
    public IReadOnlyList<string> Bodies
    {
        get { lock (_bodies) return [.. _bodies]; }
    }

    /// <summary>
    /// All the text that reached the cloud, in the forms a value could hide in: the raw bytes, and every string of
    /// every JSON body decoded (JSON escapes <c>+</c>, non-ASCII and newlines, so the raw bytes alone could miss a value).
    /// </summary>
    public string ReceivedText()
    {
        var text = new StringBuilder(Encoding.UTF8.GetString(ReceivedBytes));
        foreach (string body in Bodies)
            AppendStrings(JsonNode.Parse(body), text);
        return text.ToString();
    }

    private static void AppendStrings(JsonNode? node, StringBuilder text)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, v) in o)
                    AppendStrings(v, text);
                break;
            case JsonArray a:
                foreach (var v in a)
                    AppendStrings(v, text);
                break;
            case JsonValue v when v.TryGetValue(out string? s):
                text.Append('\n').Append(s);
                break;
        }
    }

    private async Task Handle(HttpContext http)
    {
        var ct = http.RequestAborted;
        string body = await new StreamReader(http.Request.Body, Encoding.UTF8).ReadToEndAsync(ct);
        lock (_bodies)
            _bodies.Add(body);
        var request = JsonNode.Parse(body)!;
        switch (Fault)
        {
            case CloudFault.ServerError:
                http.Response.StatusCode = 500;
                await http.Response.WriteAsJsonAsync(new JsonObject { ["error"] = new JsonObject { ["message"] = "injected failure", ["type"] = "server_error" } }, ct);
                return;
            case CloudFault.Hang:
                await Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => { }, CancellationToken.None);
                return;
        }
        if (Upstream is not null)
        {
            await RelayAsync(http, body, ct);
            return;
        }
        string answer = Answer ?? "You said: " + LastUserText(request);
        if (request["stream"]?.GetValue<bool>() == true)
            await StreamAsync(http, answer, ct);
        else
            await http.Response.WriteAsJsonAsync(Completion(answer), ct);
    }

    private async Task StreamAsync(HttpContext http, string answer, CancellationToken ct)
    {
        http.Response.ContentType = "text/event-stream";
        await SendAsync(http, Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null), ct);
        if (Fault == CloudFault.SlowFirstToken)
            await Task.Delay(FirstTokenDelay, ct);
        string[] words = answer.Split(' ');
        for (int i = 0; i < words.Length; i++)
        {
            await SendAsync(http, Chunk(new JsonObject { ["content"] = (i == 0 ? "" : " ") + words[i] }, null), ct);
            if (Fault == CloudFault.CutStream)
            {
                http.Abort();
                return;
            }
            if (Fault == CloudFault.EndWithoutFinish)
                return;
        }
        await SendAsync(http, Chunk(new JsonObject(), "stop"), ct);
        var usage = Envelope("chat.completion.chunk");
        usage["choices"] = new JsonArray();
        usage["usage"] = new JsonObject { ["prompt_tokens"] = 10, ["completion_tokens"] = words.Length, ["total_tokens"] = 10 + words.Length };
        await SendAsync(http, usage, ct);
        await http.Response.WriteAsync("data: [DONE]\n\n", ct);
    }

    private async Task RelayAsync(HttpContext http, string body, CancellationToken ct)
    {
        using var forward = new HttpRequestMessage(HttpMethod.Post, Upstream + "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await Relay.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, ct);
        http.Response.StatusCode = (int)response.StatusCode;
        http.Response.ContentType = response.Content.Headers.ContentType?.ToString();
        await response.Content.CopyToAsync(http.Response.Body, ct);
    }

    private static string LastUserText(JsonNode request)
    {
        var user = request["messages"]!.AsArray().Last(m => (string?)m!["role"] == "user")!["content"];
        return user is JsonValue v ? v.GetValue<string>() : string.Concat(user!.AsArray().Select(p => (string?)p!["text"]));
    }

    private static JsonObject Completion(string answer)
    {
        var completion = Envelope("chat.completion");
        completion["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = answer }, ["finish_reason"] = "stop",
        });
        return completion;
    }

    private static JsonObject Chunk(JsonObject delta, string? finish)
    {
        var chunk = Envelope("chat.completion.chunk");
        chunk["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish });
        return chunk;
    }

    private static JsonObject Envelope(string type) => new() { ["id"] = "cmpl-fake", ["object"] = type, ["created"] = 1700000000, ["model"] = "fake-cloud" };

    private static async Task SendAsync(HttpContext http, JsonObject payload, CancellationToken ct)
    {
        await http.Response.WriteAsync("data: " + payload.ToJsonString() + "\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(stop.Token);
            await _app.DisposeAsync();
        }
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }

    /// <summary>A read-only stream that copies every byte read into the cloud's record.</summary>
    private sealed class RecordingStream(Stream inner, FaultyCloud cloud) : Stream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int n = await inner.ReadAsync(buffer, cancellationToken);
            lock (cloud._received)
                cloud._received.Write(buffer.Span[..n]);
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
