using System.ClientModel;
using System.Globalization;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;

namespace Wallfacer.Server.Tests.Collaboration;

/// <summary>
/// <c>serve --cloud</c> end to end over HTTP, the "cloud" being a second Wallfacer server with a bigger model:
/// each policy of docs/server.md, seen from a client (raw HTTP and the official OpenAI SDK) and from the cloud.
/// </summary>
public class CollaborativeServerTests(CollaborationModels models) : IClassFixture<CollaborationModels>
{
    /// <summary>Grammar-forced local answer: its text is known ("yes.") and its confidence is the same on every fresh server.</summary>
    private static JsonObject Forced(string user) => Http.Chat(user, 16, new JsonObject { ["grammar"] = "root ::= \"yes.\"" });

    private static CancellationTokenSource HangGuard() => new(TimeSpan.FromSeconds(120));

    private static string Content(JsonNode body) => (string?)body["choices"]![0]!["message"]!["content"] ?? "";

    private static ChatClient Sdk(WallfacerServer server) =>
        new("tiny", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(server.Url + "/v1") });

    [Fact]
    public async Task Cascade_escalates_exactly_when_the_local_confidence_is_below_the_threshold()
    {
        using var guard = HangGuard();
        var ct = guard.Token;
        await using var cloud = await models.StartCloudAsync(ct);
        var endpoint = new Uri(cloud.Url + "/v1");
        double mean;
        await using (var probe = await models.StartCollaborativeAsync(endpoint, """{ "cascade": { "min_mean_logprob": -1000 } }""", ct))
        {
            var (status, body) = await Http.PostAsync(probe, Forced("is the sea blue?"), ct);
            Assert.Equal(200, status);
            Assert.Equal("local", (string?)body["wallfacer"]!["ran_on"]);
            Assert.Equal("yes.", Content(body));
            mean = (double)body["wallfacer"]!["confidence"]!["mean_logprob"]!;
        }
        Assert.Equal(0, await Http.ChatRequestsServedAsync(cloud, ct));
        Assert.True(mean < -0.05, $"a random model's forced answer should be unsure; mean logprob {mean}");

        foreach (var (threshold, expected) in new[] { (mean - 0.05, "local"), (mean + 0.05, "cloud") })
        {
            string policy = $$"""{ "cascade": { "min_mean_logprob": {{threshold.ToString("R", CultureInfo.InvariantCulture)}} } }""";
            await using var server = await models.StartCollaborativeAsync(endpoint, policy, ct);
            int before = await Http.ChatRequestsServedAsync(cloud, ct);
            var (status, body) = await Http.PostAsync(server, Forced("is the sea blue?"), ct);
            Assert.Equal(200, status);
            var decision = body["wallfacer"]!;
            Assert.Equal(mean, (double)decision["confidence"]!["mean_logprob"]!, 6); // same request on a fresh server: same confidence
            Assert.Equal(threshold, (double)decision["confidence"]!["threshold"]!, 9);
            Assert.Equal(expected, (string?)decision["ran_on"]);
            Assert.Equal(expected == "local" ? "confident" : "low_confidence", (string?)decision["reason"]);
            Assert.Equal(expected == "cloud" ? 1 : 0, await Http.ChatRequestsServedAsync(cloud, ct) - before);
            Assert.NotNull(decision["local"]!["latency_ms"]);
            if (expected == "local")
            {
                Assert.Equal("yes.", Content(body));
                Assert.Null(decision["cloud"]);
            }
            else
            {
                Assert.Equal("big", (string?)decision["cloud"]!["model"]);
                Assert.True((int)decision["cloud"]!["completion_tokens"]! > 0);
                Assert.Equal((int)decision["cloud"]!["completion_tokens"]!, (int)body["usage"]!["completion_tokens"]!); // usage is the answer's
            }
        }
    }

    [Fact]
    public async Task Keep_local_sends_nothing_private_to_the_cloud_and_metrics_count_each_decision()
    {
        using var guard = HangGuard();
        var ct = guard.Token;
        await using var cloud = await models.StartCloudAsync(ct);
        const string Policy = """
            { "privacy": { "mode": "keep_local", "terms": ["Bluebird"] },
              "cascade": { "min_mean_logprob": 0 } } // 0: every local answer is too unsure, so only privacy keeps it local
            """;
        await using var server = await models.StartCollaborativeAsync(new Uri(cloud.Url + "/v1"), Policy, ct);

        var hard = new JsonObject { ["wallfacer"] = new JsonObject { ["difficulty"] = "hard" } };
        foreach (string secret in new[] { "mail jane@example.com the report", "project Bluebird is late", "card 4111 1111 1111 1111" })
        {
            var (status, body) = await Http.PostAsync(server, Http.Chat(secret, 4, hard), ct);
            Assert.Equal(200, status);
            Assert.Equal("local", (string?)body["wallfacer"]!["ran_on"]);
            Assert.Equal("private_kept_local", (string?)body["wallfacer"]!["reason"]);
            Assert.Equal(1, (int)body["wallfacer"]!["privacy"]!["sensitive_items"]!);
            Assert.Null(body["wallfacer"]!["cloud"]);
        }
        Assert.Equal(0, await Http.ChatRequestsServedAsync(cloud, ct));

        var (_, open) = await Http.PostAsync(server, Http.Chat("is the sea blue?", 4), ct); // nothing private: the cloud is asked
        Assert.Equal("cloud", (string?)open["wallfacer"]!["ran_on"]);
        Assert.Equal(1, await Http.ChatRequestsServedAsync(cloud, ct));

        string metrics = await Http.MetricsAsync(server, ct);
        Assert.Contains("wallfacer_collaboration_requests_total{ran_on=\"local\",reason=\"private_kept_local\"} 3", metrics);
        Assert.Contains("wallfacer_collaboration_requests_total{ran_on=\"cloud\",reason=\"low_confidence\"} 1", metrics);
        Assert.Contains("wallfacer_collaboration_private_local_total 3", metrics);
        Assert.Contains("wallfacer_requests_total{route=\"/v1/chat/completions\",status=\"200\"} 4", metrics); // the server's own counters still run
    }

    [Fact]
    public async Task Redaction_sends_only_placeholders_to_a_real_cloud()
    {
        using var guard = HangGuard();
        var ct = guard.Token;
        await using var cloud = await models.StartCloudAsync(ct);
        await using var recorder = await FaultyCloud.StartAsync(ct);
        recorder.Upstream = cloud.Url; // records every byte, relays to the Wallfacer cloud
        await using var server = await models.StartCollaborativeAsync(recorder.Endpoint, """{ "privacy": { "mode": "redact" }, "cascade": { "min_mean_logprob": 0 } }""", ct);

        var (status, body) = await Http.PostAsync(server, Http.Chat("Mail jane@example.com that card 4111 1111 1111 1111 was charged twice.", 6), ct);
        Assert.Equal(200, status);
        Assert.Equal("cloud", (string?)body["wallfacer"]!["ran_on"]);
        Assert.Equal(2, (int)body["wallfacer"]!["privacy"]!["redacted_items"]!);
        Assert.Equal(1, await Http.ChatRequestsServedAsync(cloud, ct));
        string sent = recorder.ReceivedText();
        Assert.Contains("Mail [EMAIL_1] that card [PAYMENT_CARD_1] was charged twice.", sent);
        Assert.DoesNotContain("jane@example.com", sent);
        Assert.DoesNotContain("4111", sent);
    }

    [Fact]
    public async Task Routing_sends_tools_long_prompts_and_declared_hard_requests_straight_to_the_cloud()
    {
        using var guard = HangGuard();
        var ct = guard.Token;
        await using var cloud = await models.StartCloudAsync(ct);
        const string Policy = """{ "cascade": { "min_mean_logprob": -1000 }, "routing": { "tools_to_cloud": true, "max_local_prompt_characters": 200 } }""";
        await using var server = await models.StartCollaborativeAsync(new Uri(cloud.Url + "/v1"), Policy, ct);
        var client = Sdk(server);
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 4 };

        async Task<JsonNode> Decision(IEnumerable<OpenAI.Chat.ChatMessage> messages, ChatCompletionOptions o)
        {
            var result = await client.CompleteChatAsync(messages, o, ct);
            return JsonNode.Parse(result.GetRawResponse().Content.ToString())!["wallfacer"]!;
        }

        var plain = await Decision([new UserChatMessage("is the sea blue?")], options);
        Assert.Equal(("local", "confident"), ((string?)plain["ran_on"], (string?)plain["reason"]));
        Assert.Equal(0, await Http.ChatRequestsServedAsync(cloud, ct));

        var withTools = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 4 };
        withTools.Tools.Add(ChatTool.CreateFunctionTool("get_weather", "Weather in a city",
            BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""")));
        var tools = await Decision([new UserChatMessage("weather in Paris?")], withTools);
        Assert.Equal(("cloud", "tools"), ((string?)tools["ran_on"], (string?)tools["reason"]));
        Assert.Null(tools["local"]); // routed: the local model did not run

        var longPrompt = await Decision([new UserChatMessage(string.Join(' ', Enumerable.Repeat("the sea", 40)))], options);
        Assert.Equal(("cloud", "long_prompt"), ((string?)longPrompt["ran_on"], (string?)longPrompt["reason"]));

        var (_, hard) = await Http.PostAsync(server, Http.Chat("is the sea blue?", 4, new JsonObject { ["wallfacer"] = new JsonObject { ["difficulty"] = "hard" } }), ct);
        Assert.Equal(("cloud", "declared_hard"), ((string?)hard["wallfacer"]!["ran_on"], (string?)hard["wallfacer"]!["reason"]));
        Assert.Equal(3, await Http.ChatRequestsServedAsync(cloud, ct));
    }

    [Fact]
    public async Task A_prompt_beyond_the_local_context_fails_over_to_the_cloud_unless_it_is_private()
    {
        using var guard = HangGuard();
        var ct = guard.Token;
        await using var cloud = await models.StartCloudAsync(ct);
        await using var server = await models.StartCollaborativeAsync(new Uri(cloud.Url + "/v1"), """{ "privacy": { "mode": "keep_local" } }""", ct, contextLength: 64);
        string longText = string.Join(' ', Enumerable.Repeat("the sea is blue", 60));

        var (status, body) = await Http.PostAsync(server, Http.Chat(longText, 4), ct);
        Assert.Equal(200, status);
        Assert.Equal(("cloud", "local_unavailable"), ((string?)body["wallfacer"]!["ran_on"], (string?)body["wallfacer"]!["reason"]));

        var (privateStatus, error) = await Http.PostAsync(server, Http.Chat(longText + " jane@example.com", 4), ct);
        Assert.Equal(400, privateStatus);
        Assert.Contains("context", (string?)error["error"]!["message"]);
        Assert.Equal(1, await Http.ChatRequestsServedAsync(cloud, ct));
    }

    [Theory]
    [InlineData(-1000.0, "local")]
    [InlineData(0.0, "cloud")]
    public async Task The_openai_sdk_gets_the_same_answer_streamed_and_whole(double threshold, string ranOn)
    {
        using var guard = HangGuard();
        var ct = guard.Token;
        await using var cloud = await models.StartCloudAsync(ct);
        await using var server = await models.StartCollaborativeAsync(new Uri(cloud.Url + "/v1"),
            $$"""{ "cascade": { "min_mean_logprob": {{threshold.ToString(CultureInfo.InvariantCulture)}} } }""", ct);
        var client = Sdk(server);
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 8 };
        OpenAI.Chat.ChatMessage[] messages = [new SystemChatMessage("be brief"), new UserChatMessage("tell me about the sea")];

        var whole = await client.CompleteChatAsync(messages, options, ct);
        Assert.Equal(ranOn, (string?)JsonNode.Parse(whole.GetRawResponse().Content.ToString())!["wallfacer"]!["ran_on"]);
        Assert.InRange(whole.Value.Usage.OutputTokenCount, 1, 8);

        var streamed = new System.Text.StringBuilder();
        OpenAI.Chat.ChatFinishReason? finish = null;
        await foreach (var update in client.CompleteChatStreamingAsync(messages, options, ct))
        {
            foreach (var part in update.ContentUpdate)
                streamed.Append(part.Text);
            finish ??= update.FinishReason;
        }
        Assert.Equal(whole.Value.Content[0].Text, streamed.ToString());
        Assert.Equal(whole.Value.FinishReason, finish);

        var (text, decision, _) = await Http.StreamAsync(server, Http.Chat("tell me about the sea", 8), ct);
        Assert.Equal(ranOn, (string?)decision!["ran_on"]); // the decision rides on the last chunk
        Assert.NotNull(text);
    }

    [Fact]
    public async Task Without_cloud_the_server_answers_as_before_with_no_decision_object()
    {
        using var guard = HangGuard();
        await using var server = await WallfacerServer.StartAsync(new ServerOptions { ModelPath = models.LocalPath, ModelId = "tiny", Port = 0, Parallel = 1, ContextLength = 256, Threads = 1 }, cancellationToken: guard.Token);
        Assert.Null(server.Collaboration);
        var (status, body) = await Http.PostAsync(server, Http.Chat("hi", 3), guard.Token);
        Assert.Equal(200, status);
        Assert.Null(body["wallfacer"]);
        Assert.DoesNotContain("wallfacer_collaboration", await Http.MetricsAsync(server, guard.Token));
    }
}
