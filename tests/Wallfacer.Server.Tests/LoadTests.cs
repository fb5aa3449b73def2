using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Wallfacer.Server.Tests;

/// <summary>Many clients at once on loopback: nothing fails, every stream is well formed.</summary>
public class LoadTests(ModelFile model, ITestOutputHelper output) : IClassFixture<ModelFile>
{
    [Fact]
    public async Task Thirty_two_streaming_clients_all_get_well_formed_answers()
    {
        await using var server = await model.StartAsync(o => o with { Parallel = 4, MaxQueue = 64 });
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        var latencies = new List<double>();
        int tokens = 0, failures = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 32).Select(async client =>
        {
            for (int r = 0; r < 3; r++)
            {
                var started = Stopwatch.StartNew();
                string json = new JsonObject
                {
                    ["stream"] = true, ["max_tokens"] = 16, ["seed"] = client * 10 + r, ["stream_options"] = new JsonObject { ["include_usage"] = true },
                    ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = $"client {client} request {r}" }),
                }.ToJsonString();
                var response = await http.PostAsync(server.Url + "/v1/chat/completions", new StringContent(json, Encoding.UTF8, "application/json"));
                string body = await response.Content.ReadAsStringAsync();
                var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
                bool ok = response.StatusCode == HttpStatusCode.OK && events[^1] == "data: [DONE]"
                          && events[..^1].All(e => e.StartsWith("data: ") && JsonNode.Parse(e[6..]) is JsonObject);
                lock (latencies)
                {
                    latencies.Add(started.Elapsed.TotalMilliseconds);
                    if (!ok) failures++;
                    else tokens += (int)JsonNode.Parse(events[^2][6..])!["usage"]!["completion_tokens"]!;
                }
            }
        }));
        latencies.Sort();
        output.WriteLine($"96 requests, {failures} failed; p50 {latencies[latencies.Count / 2]:F0} ms, p99 {latencies[(int)(latencies.Count * 0.99)]:F0} ms; " +
                         $"{tokens} tokens in {clock.Elapsed.TotalSeconds:F1} s = {tokens / clock.Elapsed.TotalSeconds:F0} tok/s aggregate");
        Assert.Equal(0, failures);
    }
}
