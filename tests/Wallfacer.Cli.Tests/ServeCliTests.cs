using System.Text.RegularExpressions;
using Wallfacer.Models.Synthetic;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Cli.Tests;

/// <summary><c>wallfacer serve</c> as a process: it says where it listens, answers, and stops cleanly on Ctrl+C.</summary>
public sealed class ServeCliTests : IDisposable
{
    private readonly string _model = Path.Combine(Path.GetTempPath(), "wallfacer-tests", Guid.NewGuid().ToString("N") + ".gguf");

    public ServeCliTests()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_model)!);
        SyntheticModelWriter.Write(new SyntheticModelSpec { VocabSize = 300, WeightType = GgmlType.Q8_0, EmbeddingLength = 32, HeadCount = 2, KvHeadCount = 1, FeedForwardLength = 64, WithChatTemplate = true }, _model);
    }

    [Fact]
    public async Task Serves_on_loopback_and_shuts_down_gracefully_on_sigint()
    {
        using var serve = new InteractiveCli("serve", "-m", _model, "--port", "0", "--parallel", "2", "-t", "1");
        serve.WaitForStdErr("Ctrl+C stops");
        string url = Regex.Match(serve.StdErr, @"at (http://127\.0\.0\.1:\d+)").Groups[1].Value;
        using var http = new HttpClient();
        Assert.Contains("\"status\":\"ok\"", await http.GetStringAsync(url + "/health"));
        var reply = await http.PostAsync(url + "/v1/chat/completions", new StringContent("{\"max_tokens\": 3, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"));
        Assert.True(reply.IsSuccessStatusCode);
        serve.Interrupt();
        Assert.Equal(0, serve.CloseInputAndWait(30));
    }

    [Fact]
    public async Task A_config_file_sets_the_server_and_the_command_line_wins()
    {
        string dir = Path.GetDirectoryName(_model)!;
        string config = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(config, $$"""
            // comments and trailing commas are fine
            {"model": "{{Path.GetFileName(_model)}}", "alias": "from-config", "port": 0, "parallel": 3, "threads": 1,
             "apiKeys": ["sk-config"], "corsOrigins": ["https://app.example"],}
            """);
        using var serve = new InteractiveCli("serve", "--config", config, "--parallel", "2");
        serve.WaitForStdErr("Ctrl+C stops");
        Assert.Contains("serving from-config", serve.StdErr);  // alias and model (relative to the file) from the config
        Assert.Contains("(2 slots", serve.StdErr);             // --parallel on the command line wins over 3
        string url = Regex.Match(serve.StdErr, @"at (http://127\.0\.0\.1:\d+)").Groups[1].Value;
        using var http = new HttpClient();
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await http.GetAsync(url + "/v1/models")).StatusCode);
        var request = new HttpRequestMessage(HttpMethod.Get, url + "/v1/models");
        request.Headers.Authorization = new("Bearer", "sk-config");
        request.Headers.Add("Origin", "https://app.example");
        var ok = await http.SendAsync(request);
        Assert.True(ok.IsSuccessStatusCode);
        Assert.True(ok.Headers.Contains("Access-Control-Allow-Origin"));
        serve.Interrupt();
        Assert.Equal(0, serve.CloseInputAndWait(30));
    }

    [Fact]
    public void A_misspelt_config_key_is_an_error_naming_it()
    {
        string config = Path.Combine(Path.GetDirectoryName(_model)!, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(config, $$"""{"model": "{{_model.Replace("\\", "/")}}", "paralel": 2}""");
        var r = CliProcess.Run("serve", "--config", config);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("paralel", r.StdErr);
        Assert.Contains(Path.GetFileName(config), r.StdErr);
    }

    [Fact]
    public async Task With_a_cloud_and_a_policy_every_answer_carries_its_decision()
    {
        using var cloud = new Wallfacer.Extensions.AI.Tests.Remote.FakeOpenAiServer();
        string policy = Path.Combine(Path.GetTempPath(), "wallfacer-tests", Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(policy, """{ "cascade": { "min_mean_logprob": 0 } } // every local answer is too unsure""");
        string keyVariable = "WALLFACER_TEST_CLOUD_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(keyVariable, "sk-test-never-printed"); // inherited by the child process
        try
        {
            using var serve = new InteractiveCli("serve", "-m", _model, "--port", "0", "--parallel", "1", "-t", "1",
                "--cloud", cloud.Endpoint.ToString(), "--cloud-model", "cloud-model", "--cloud-key-env", keyVariable, "--policy", policy);
            serve.WaitForStdErr("Ctrl+C stops");
            Assert.Contains("collaborating with cloud-model at " + cloud.Endpoint, serve.StdErr);
            string url = Regex.Match(serve.StdErr, @"at (http://127\.0\.0\.1:\d+)").Groups[1].Value;
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            var reply = await http.PostAsync(url + "/v1/chat/completions", new StringContent("{\"max_tokens\": 3, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"));
            var body = System.Text.Json.Nodes.JsonNode.Parse(await reply.Content.ReadAsStringAsync())!;
            Assert.Equal(cloud.Answer, (string?)body["choices"]![0]!["message"]!["content"]);
            Assert.Equal("cloud", (string?)body["wallfacer"]!["ran_on"]);
            serve.WaitUntil(() => serve.StdOut.Contains("ran on cloud (low_confidence)"), "the decision's log line"); // the console logger writes to stdout
            serve.Interrupt();
            Assert.Equal(0, serve.CloseInputAndWait(30));
            Assert.DoesNotContain("sk-test-never-printed", serve.StdErr + serve.StdOut);
        }
        finally
        {
            Environment.SetEnvironmentVariable(keyVariable, null);
            File.Delete(policy);
        }
    }

    [Theory]
    [InlineData("--cloud-model", "big", "--cloud-model, --cloud-key-env and --policy need --cloud URL")]
    [InlineData("--cloud", "ftp://gpu-box/v1", "--cloud: 'ftp://gpu-box/v1' is not an http(s) URL")]
    [InlineData("--cloud-key-env", "WALLFACER_SURELY_UNSET_VARIABLE", "need --cloud URL")]
    public void Cloud_options_that_cannot_work_are_refused_with_the_reason(string option, string value, string message)
    {
        var result = CliProcess.Run("serve", "-m", _model, "--port", "0", option, value);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.StdErr);
    }

    [Fact]
    public void An_unset_key_variable_is_named()
    {
        var result = CliProcess.Run("serve", "-m", _model, "--port", "0", "--cloud", "http://127.0.0.1:9/v1", "--cloud-key-env", "WALLFACER_SURELY_UNSET_VARIABLE");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("the environment variable WALLFACER_SURELY_UNSET_VARIABLE is not set", result.StdErr);
    }

    public void Dispose()
    {
        try { File.Delete(_model); } catch (IOException) { }
    }
}
