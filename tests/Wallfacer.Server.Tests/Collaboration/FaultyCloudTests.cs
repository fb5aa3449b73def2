using System.Text.Json.Nodes;

namespace Wallfacer.Server.Tests.Collaboration;

/// <summary>
/// A collaborative server in front of a cloud that fails in every way the fake can: each failure falls back to the
/// local answer with the documented reason, and nothing hangs (every test is bounded by a token).
/// </summary>
public class FaultyCloudTests(CollaborationModels models) : IClassFixture<CollaborationModels>
{
    private static readonly JsonObject Grammar = new() { ["grammar"] = "root ::= \"yes.\"" }; // the local answer is known: "yes."

    private static CancellationTokenSource HangGuard() => new(TimeSpan.FromSeconds(90));

    /// <summary>A policy under which every request asks the cloud: no local answer is ever sure enough.</summary>
    private static string AlwaysAsk(double timeoutSeconds = 30, int retries = 0) =>
        $$"""{ "cascade": { "min_mean_logprob": 0 }, "cloud": { "timeout_seconds": {{timeoutSeconds}}, "max_retries": {{retries}} } }""";

    [Theory]
    [InlineData(CloudFault.ServerError, "cloud_failed", false)]
    [InlineData(CloudFault.ServerError, "cloud_failed", true)]
    [InlineData(CloudFault.Hang, "cloud_timeout", false)]
    [InlineData(CloudFault.Hang, "cloud_timeout", true)]
    [InlineData(CloudFault.CutStream, "cloud_failed", false)]
    [InlineData(CloudFault.EndWithoutFinish, "cloud_failed", false)]
    [InlineData(CloudFault.EndWithoutFinish, "cloud_failed", true)]
    [InlineData(CloudFault.SlowFirstToken, "cloud_timeout", false)]
    public async Task A_failing_cloud_gets_the_local_answer_with_the_reason(CloudFault fault, string reason, bool routed)
    {
        using var guard = HangGuard();
        var ct = guard.Token;
        await using var cloud = await FaultyCloud.StartAsync(ct);
        cloud.Fault = fault;
        cloud.FirstTokenDelay = TimeSpan.FromSeconds(30);
        await using var server = await models.StartCollaborativeAsync(cloud.Endpoint, AlwaysAsk(timeoutSeconds: 1.5, retries: 1), ct);
        var extra = Grammar.DeepClone().AsObject();
        if (routed) // routed requests reach the cloud before the local model has answered: it runs after the failure
            extra["wallfacer"] = new JsonObject { ["difficulty"] = "hard" };

        var (status, body) = await Http.PostAsync(server, Http.Chat("is the sea blue?", 16, extra), ct);
        Assert.Equal(200, status);
        Assert.Equal("yes.", (string?)body["choices"]![0]!["message"]!["content"]);
        var decision = body["wallfacer"]!;
        Assert.Equal(("local", reason), ((string?)decision["ran_on"], (string?)decision["reason"]));
        Assert.NotNull(decision["cloud"]!["latency_ms"]); // it was tried
        Assert.NotNull(decision["local"]!["tokens"]);
        Assert.NotEmpty(cloud.Bodies);
        if (fault == CloudFault.ServerError)
            Assert.Equal(2, cloud.Bodies.Count); // one retry, as the policy says
        Assert.Contains($"wallfacer_collaboration_requests_total{{ran_on=\"local\",reason=\"{reason}\"}} 1", await Http.MetricsAsync(server, ct));
    }

    [Fact]
    public async Task The_cloud_key_comes_from_the_named_environment_variable_and_travels_as_a_bearer_token()
    {
        using var guard = HangGuard();
        var ct = guard.Token;
        await using var cloud = await FaultyCloud.StartAsync(ct);
        string variable = "WALLFACER_TEST_CLOUD_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "sk-from-the-environment");
        try
        {
            var options = new ServerOptions
            {
                ModelPath = models.LocalPath, ModelId = "tiny", Port = 0, Parallel = 1, ContextLength = 256, Threads = 1,
                Cloud = new Wallfacer.Server.Collaboration.CloudOptions
                {
                    Endpoint = cloud.Endpoint, Model = "big", ApiKeyEnvironmentVariable = variable,
                    Policy = Wallfacer.Server.Collaboration.CollaborationPolicyFile.Parse(AlwaysAsk()),
                },
            };
            await using (var server = await WallfacerServer.StartAsync(options, cancellationToken: ct))
            {
                var (status, _) = await Http.PostAsync(server, Http.Chat("hi", 2), ct);
                Assert.Equal(200, status);
            }
            Assert.Contains("Authorization: Bearer sk-from-the-environment", System.Text.Encoding.UTF8.GetString(cloud.ReceivedBytes), StringComparison.OrdinalIgnoreCase);

            Environment.SetEnvironmentVariable(variable, null);
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => WallfacerServer.StartAsync(options, cancellationToken: ct));
            Assert.Contains(variable, ex.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task An_unreachable_cloud_gets_the_local_answer()
    {
        using var guard = HangGuard();
        var ct = guard.Token;
        await using var server = await models.StartCollaborativeAsync(CollaborationModels.UnreachableEndpoint(), AlwaysAsk(retries: 1), ct);
        var (status, body) = await Http.PostAsync(server, Http.Chat("is the sea blue?", 16, Grammar), ct);
        Assert.Equal(200, status);
        Assert.Equal("yes.", (string?)body["choices"]![0]!["message"]!["content"]);
        Assert.Equal(("local", "cloud_failed"), ((string?)body["wallfacer"]!["ran_on"], (string?)body["wallfacer"]!["reason"]));
    }

    [Fact]
    public async Task A_slow_first_token_within_the_budget_is_waited_for()
    {
        using var guard = HangGuard();
        var ct = guard.Token;
        await using var cloud = await FaultyCloud.StartAsync(ct);
        cloud.Fault = CloudFault.SlowFirstToken;
        cloud.FirstTokenDelay = TimeSpan.FromSeconds(1);
        cloud.Answer = "The sea is blue.";
        await using var server = await models.StartCollaborativeAsync(cloud.Endpoint, AlwaysAsk(timeoutSeconds: 60), ct);
        var (status, body) = await Http.PostAsync(server, Http.Chat("is the sea blue?", 16, Grammar), ct);
        Assert.Equal(200, status);
        Assert.Equal("The sea is blue.", (string?)body["choices"]![0]!["message"]!["content"]);
        Assert.Equal(("cloud", "low_confidence"), ((string?)body["wallfacer"]!["ran_on"], (string?)body["wallfacer"]!["reason"]));
        Assert.True((double)body["wallfacer"]!["cloud"]!["latency_ms"]! >= 1000); // the delay was really there
    }

    [Fact]
    public async Task A_streaming_client_gets_the_local_answer_when_the_cloud_stream_is_cut()
    {
        using var guard = HangGuard();
        var ct = guard.Token;
        await using var cloud = await FaultyCloud.StartAsync(ct);
        cloud.Fault = CloudFault.CutStream;
        await using var server = await models.StartCollaborativeAsync(cloud.Endpoint, AlwaysAsk(), ct);
        var (text, decision, finish) = await Http.StreamAsync(server, Http.Chat("is the sea blue?", 16, Grammar), ct);
        Assert.Equal("yes.", text);
        Assert.Equal("stop", finish);
        Assert.Equal(("local", "cloud_failed"), ((string?)decision!["ran_on"], (string?)decision["reason"]));
    }
}
