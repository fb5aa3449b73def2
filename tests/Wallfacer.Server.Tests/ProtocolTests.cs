using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Wallfacer.Server.Tests;

/// <summary>Raw HTTP: what a client can get wrong gets the right status and a clear OpenAI-shaped error.</summary>
public class ProtocolTests(ModelFile model) : IClassFixture<ModelFile>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    private static async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> Post(WallfacerServer server, string path, string json)
    {
        var response = await Http.PostAsync(server.Url + path, new StringContent(json, Encoding.UTF8, "application/json"));
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 && text.TrimStart().StartsWith('{') ? JsonNode.Parse(text) : null, response);
    }

    private static string ErrorMessage(JsonNode? body) => (string?)body?["error"]?["message"] ?? "";

    [Theory]
    [InlineData("{\"messages\": [", 400, "not valid JSON")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"temperature\": \"hot\"}", 400, "temperature must be a number")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 1.5}", 400, "max_tokens must be an integer")]
    [InlineData("{\"messages\": []}", 400, "messages must be a non-empty array")]
    [InlineData("{\"messages\": [{\"content\": \"hi\"}]}", 400, "messages[0] must be an object with a string role")]
    [InlineData("{\"model\": \"gpt-4\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", 404, "does not exist")]
    public async Task Bad_requests_get_the_right_status_and_a_message(string json, int status, string message)
    {
        await using var server = await model.StartAsync();
        var (code, body, _) = await Post(server, "/v1/chat/completions", json);
        Assert.Equal(status, (int)code);
        Assert.Contains(message, ErrorMessage(body));
        // And the server keeps serving.
        var (after, _, _) = await Post(server, "/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 2, \"unknown_field\": {\"x\": 1}}");
        Assert.Equal(HttpStatusCode.OK, after);
    }

    [Fact]
    public async Task A_prompt_beyond_the_context_is_refused_with_both_numbers()
    {
        await using var server = await model.StartAsync(o => o with { ContextLength = 64 });
        string longText = string.Join(' ', Enumerable.Repeat("the sea is blue", 60));
        var (code, body, _) = await Post(server, "/v1/chat/completions", new JsonObject { ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = longText }) }.ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Matches(@"The prompt is \d+ tokens but the context holds 64", ErrorMessage(body));
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413()
    {
        await using var server = await model.StartAsync(o => o with { MaxBodyBytes = 1024 });
        var (code, body, _) = await Post(server, "/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"" + new string('a', 4096) + "\"}]}");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, code);
        Assert.Contains("larger", ErrorMessage(body));
    }

    [Fact]
    public async Task A_full_queue_answers_429_with_retry_after_and_a_disconnect_frees_the_slot()
    {
        await using var server = await model.StartAsync(o => o with { Parallel = 1, MaxQueue = 0, ContextLength = 2048 });
        string longStream = "{\"stream\": true, \"ignore_eos\": true, \"max_tokens\": 2000, \"messages\": [{\"role\": \"user\", \"content\": \"write a long story\"}]}";
        using (var cts = new CancellationTokenSource())
        {
            var request = new HttpRequestMessage(HttpMethod.Post, server.Url + "/v1/chat/completions") { Content = new StringContent(longStream, Encoding.UTF8, "application/json") };
            using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
            Assert.StartsWith("data: ", await reader.ReadLineAsync(cts.Token)); // it holds the only slot now

            var (busy, body, busyResponse) = await Post(server, "/v1/chat/completions", "{\"max_tokens\": 2, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
            Assert.Equal((HttpStatusCode)429, busy);
            Assert.True(busyResponse.Headers.RetryAfter is not null);
            Assert.Contains("retry", ErrorMessage(body), StringComparison.OrdinalIgnoreCase);
            cts.Cancel(); // the client goes away mid-stream
        }
        var clock = Stopwatch.StartNew();
        HttpStatusCode next;
        do
        {
            (next, _, _) = await Post(server, "/v1/chat/completions", "{\"max_tokens\": 2, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        } while (next == (HttpStatusCode)429 && clock.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.OK, next);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the slot was freed after {clock.Elapsed}");
    }

    [Fact]
    public async Task Streaming_sends_role_then_content_then_finish_usage_and_done()
    {
        await using var server = await model.StartAsync();
        var response = await Http.PostAsync(server.Url + "/v1/chat/completions", new StringContent(
            "{\"stream\": true, \"stream_options\": {\"include_usage\": true}, \"max_tokens\": 5, \"seed\": 1, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", Encoding.UTF8, "application/json"));
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e["data: ".Length..]).ToList();
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonNode.Parse(e)!).ToList();
        Assert.Equal("assistant", (string?)chunks[0]["choices"]![0]!["delta"]!["role"]);
        Assert.Contains(chunks, c => c["choices"]!.AsArray().Count > 0 && c["choices"]![0]!["finish_reason"] is not null);
        Assert.True((int)chunks[^1]["usage"]!["completion_tokens"]! >= 1);
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", (string?)c["object"]));
    }

    [Fact]
    public async Task Models_health_completions_and_embeddings_answer()
    {
        await using var server = await model.StartAsync();
        var models = JsonNode.Parse(await Http.GetStringAsync(server.Url + "/v1/models"))!;
        Assert.Equal("tiny", (string?)models["data"]![0]!["id"]);
        var health = JsonNode.Parse(await Http.GetStringAsync(server.Url + "/health"))!;
        Assert.Equal(2, (int)health["slots"]!);

        var (code, completion, _) = await Post(server, "/v1/completions", "{\"prompt\": \"once upon a time\", \"max_tokens\": 4}");
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("text_completion", (string?)completion!["object"]);

        var (ecode, embeddings, _) = await Post(server, "/v1/embeddings", "{\"input\": [\"the sea\", \"stones\"]}");
        Assert.Equal(HttpStatusCode.OK, ecode);
        Assert.Equal(2, embeddings!["data"]!.AsArray().Count);
        Assert.Equal(128, embeddings["data"]![0]!["embedding"]!.AsArray().Count);
    }
}

public class MetricsAndPageTests(ModelFile model) : IClassFixture<ModelFile>
{
    [Fact]
    public async Task Metrics_count_requests_and_tokens_and_the_page_is_served()
    {
        await using var server = await model.StartAsync();
        using var http = new HttpClient();
        await http.PostAsync(server.Url + "/v1/chat/completions", new StringContent("{\"max_tokens\": 3, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"));
        await http.PostAsync(server.Url + "/v1/chat/completions", new StringContent("{\"messages\": 5}"));
        await http.GetAsync(server.Url + "/some/invented/path");
        string metrics = await http.GetStringAsync(server.Url + "/metrics");
        Assert.Contains("wallfacer_requests_total{route=\"/v1/chat/completions\",status=\"200\"} 1", metrics);
        Assert.Contains("wallfacer_requests_total{route=\"/v1/chat/completions\",status=\"400\"} 1", metrics);
        Assert.Contains("route=\"unmatched\",status=\"404\"", metrics);
        Assert.DoesNotContain("invented", metrics);
        Assert.Matches(@"wallfacer_generated_tokens_total [1-9]", metrics);
        Assert.Contains("wallfacer_request_duration_seconds_bucket{le=\"+Inf\"}", metrics);
        Assert.Contains("wallfacer_slots_total 2", metrics);

        string page = await http.GetStringAsync(server.Url + "/");
        Assert.Contains("<title>Wallfacer</title>", page);
        Assert.DoesNotContain("http://", page.Replace("http://127", "")); // no external resources
    }
}

public class GrammarRequestTests(ModelFile model) : IClassFixture<ModelFile>
{
    [Fact]
    public async Task A_grammar_constrains_the_answer_and_a_bad_one_is_a_400_naming_the_place()
    {
        await using var server = await model.StartAsync();
        using var http = new HttpClient();
        var good = new JsonObject
        {
            ["max_tokens"] = 40, ["temperature"] = 1.5, ["seed"] = 3,
            ["grammar"] = "root ::= (\"yes\" | \"no\") \".\"",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "answer" }),
        };
        var reply = JsonNode.Parse(await (await http.PostAsync(server.Url + "/v1/chat/completions", new StringContent(good.ToJsonString(), Encoding.UTF8, "application/json"))).Content.ReadAsStringAsync())!;
        Assert.Matches("^(yes|no)\\.$", (string?)reply["choices"]![0]!["message"]!["content"]);

        good["grammar"] = "root ::= \"a";
        var bad = await http.PostAsync(server.Url + "/v1/chat/completions", new StringContent(good.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("grammar: 1:12: ", await bad.Content.ReadAsStringAsync());
    }
}

public class ResponseFormatTests(ModelFile model) : IClassFixture<ModelFile>
{
    [Fact]
    public async Task A_json_schema_response_format_is_enforced_and_an_unenforceable_one_is_refused()
    {
        await using var server = await model.StartAsync();
        using var http = new HttpClient();
        var request = JsonNode.Parse("""
            {"max_tokens": 200, "temperature": 1.2, "seed": 9, "messages": [{"role": "user", "content": "a person"}],
             "response_format": {"type": "json_schema", "json_schema": {"name": "person", "strict": true, "schema":
               {"type": "object", "properties": {"name": {"type": "string", "maxLength": 6}, "age": {"type": "integer"}}, "required": ["name", "age"], "additionalProperties": false}}}}
            """)!;
        var reply = JsonNode.Parse(await (await http.PostAsync(server.Url + "/v1/chat/completions", new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"))).Content.ReadAsStringAsync())!;
        string content = (string)reply["choices"]![0]!["message"]!["content"]!;
        var person = JsonNode.Parse(content)!;
        Assert.True((string?)person["name"] is { Length: <= 6 });
        Assert.Equal(System.Text.Json.JsonValueKind.Number, person["age"]!.GetValueKind());

        request["response_format"]!["json_schema"]!["schema"]!["properties"]!["name"]!["format"] = "hostname";
        var bad = await http.PostAsync(server.Url + "/v1/chat/completions", new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        string refusal = await bad.Content.ReadAsStringAsync();
        Assert.Contains("'format'", refusal);
        Assert.Contains("#/properties/name", refusal);
    }
}
