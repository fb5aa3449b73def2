using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Wallfacer.Extensions.AI.Tests.Remote;

/// <summary>
/// A stand-in "cloud" on loopback speaking the OpenAI chat-completions protocol (streamed SSE): it answers
/// with a fixed text or tool call, records every request body it receives (the privacy tests read them),
/// and injects faults on demand — status codes, a slow first byte, a stream cut mid-answer.
/// </summary>
internal sealed class FakeOpenAiServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _loop;
    private readonly List<string> _requests = [];

    public FakeOpenAiServer()
    {
        (_listener, int port) = StartListener();
        Endpoint = new Uri($"http://127.0.0.1:{port}/v1");
        _loop = Task.Run(Serve);
    }

    public Uri Endpoint { get; }

    /// <summary>The text answered, streamed in a few pieces.</summary>
    public string Answer { get; set; } = "The capital of France is Paris.";

    /// <summary>When set, the answer is this tool call (name, JSON arguments) instead of text.</summary>
    public (string Name, string Arguments)? ToolCall { get; set; }

    /// <summary>Statuses to answer with before succeeding, one per request (e.g. 500, 500 then success).</summary>
    public Queue<int> FailWith { get; } = new();

    /// <summary>Delay before the first byte of each answer.</summary>
    public TimeSpan FirstByteDelay { get; set; }

    /// <summary>When true, the stream stops after the first piece without a [DONE].</summary>
    public bool CutStream { get; set; }

    public IReadOnlyList<string> Requests
    {
        get { lock (_requests) return [.. _requests]; }
    }

    /// <summary>
    /// HttpListener cannot bind port 0: take a free port from the OS and retry when a test running in parallel
    /// grabs it between the probe and the bind.
    /// </summary>
    private static (HttpListener Listener, int Port) StartListener()
    {
        for (int attempt = 0; ; attempt++)
        {
            int port = FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return (listener, port);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            _ = Task.Run(() => Handle(context));
        }
    }

    private async Task Handle(HttpListenerContext context)
    {
        try
        {
            string body;
            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
                body = await reader.ReadToEndAsync();
            lock (_requests)
                _requests.Add(body);
            int? status = null;
            lock (FailWith)
                if (FailWith.Count > 0)
                    status = FailWith.Dequeue();
            if (status is int code)
            {
                context.Response.StatusCode = code;
                await Write(context, """{"error":{"message":"injected failure","type":"server_error"}}""");
                context.Response.Close();
                return;
            }
            await Task.Delay(FirstByteDelay);
            bool stream = JsonNode.Parse(body)?["stream"]?.GetValue<bool>() == true;
            if (!stream)
            {
                context.Response.StatusCode = 400;
                await Write(context, """{"error":{"message":"this fake only streams"}}""");
                context.Response.Close();
                return;
            }
            context.Response.ContentType = "text/event-stream";
            context.Response.SendChunked = true;
            foreach (string chunk in Chunks())
            {
                await Write(context, "data: " + chunk + "\n\n");
                await context.Response.OutputStream.FlushAsync();
                if (CutStream)
                {
                    context.Response.Abort();
                    return;
                }
            }
            await Write(context, "data: [DONE]\n\n");
            context.Response.Close();
        }
        catch (Exception) when (!_listener.IsListening)
        {
        }
        catch (HttpListenerException)
        {
        }
    }

    private IEnumerable<string> Chunks()
    {
        const string Head = """{"id":"cmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"cloud-model","choices":[""";
        if (ToolCall is { } call)
        {
            var delta = new JsonObject
            {
                ["role"] = "assistant",
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0, ["id"] = "call_1", ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.Arguments },
                }),
            };
            yield return Head + new JsonObject { ["index"] = 0, ["delta"] = delta }.ToJsonString() + "]}";
            yield return Head + """{"index":0,"delta":{},"finish_reason":"tool_calls"}]}""";
        }
        else
        {
            var words = Answer.Split(' ');
            for (int i = 0; i < words.Length; i++)
            {
                string piece = (i == 0 ? "" : " ") + words[i];
                yield return Head + new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["content"] = piece } }.ToJsonString() + "]}";
            }
            yield return Head + """{"index":0,"delta":{},"finish_reason":"stop"}]}""";
        }
        yield return """{"id":"cmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"cloud-model","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19,"prompt_tokens_details":{"cached_tokens":4}}}""";
    }

    private static async Task Write(HttpListenerContext context, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await context.Response.OutputStream.WriteAsync(bytes);
    }

    public void Dispose()
    {
        // Close alone (it stops too): on Linux, Stop then Close removes the prefix twice, and the second removal
        // re-opens the port's endpoint to find it — "Address already in use" once a parallel test has taken the port
        // (a CI failure of 853659d, in this Dispose).
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
