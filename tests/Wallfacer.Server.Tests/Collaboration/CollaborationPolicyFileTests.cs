using Wallfacer.Extensions.AI.Collaboration;
using Wallfacer.Server.Collaboration;

namespace Wallfacer.Server.Tests.Collaboration;

/// <summary>The policy file of docs/server.md: the documented example reads as documented; mistakes are named with their place.</summary>
public class CollaborationPolicyFileTests
{
    [Fact]
    public void The_documented_example_sets_every_option()
    {
        var policy = CollaborationPolicyFile.Parse("""
            {
              "privacy": { "mode": "keep_local", "patterns": ["\\bPRJ-\\d{4}\\b"], "terms": ["Bluebird"] },
              "cascade": { "enabled": true, "min_mean_logprob": -1.5, "min_token_logprob": -8, "max_mean_entropy": 3.5 },
              "routing": { "tools_to_cloud": true, "max_local_prompt_characters": 6000 },
              "cloud":   { "timeout_seconds": 12.5, "max_retries": 3 }, // trailing comma and comments are fine
            }
            """);
        var o = policy.Options;
        Assert.Equal(PrivacyMode.KeepLocal, o.Privacy);
        Assert.Equal([@"\bPRJ-\d{4}\b"], o.Rules.Patterns);
        Assert.Equal(["Bluebird"], o.Rules.Terms);
        Assert.Equal((true, -1.5, -8.0, 3.5), (o.Cascade, o.MinMeanLogprob, o.MinTokenLogprob, o.MaxMeanEntropy));
        Assert.Equal((true, 6000), (o.RouteToolRequestsToCloud, o.MaxLocalPromptCharacters));
        Assert.Equal(TimeSpan.FromSeconds(12.5), o.CloudTimeout);
        Assert.Equal(3, policy.MaxRetries);
    }

    [Fact]
    public void Self_check_and_a_router_file_relative_to_the_policy_are_read_and_a_bad_router_is_named()
    {
        string dir = Directory.CreateTempSubdirectory("policy").FullName;
        Wallfacer.Extensions.AI.Collaboration.TrainedRouter.Train([("What is 2+2?", true), ("Explain why and prove it step by step.", false)])
            .Save(Path.Combine(dir, "router.json"));
        string policyPath = Path.Combine(dir, "policy.json");
        File.WriteAllText(policyPath, """{"cascade": {"self_check": true}, "routing": {"router": "router.json"}}""");
        var o = CollaborationPolicyFile.Load(policyPath).Options;
        Assert.True(o.SelfCheck);
        Assert.NotNull(o.Router);

        File.WriteAllText(Path.Combine(dir, "router.json"), "{}");
        var error = Assert.Throws<InvalidDataException>(() => CollaborationPolicyFile.Load(policyPath));
        Assert.Contains("routing.router", error.Message);
    }

    [Fact]
    public void An_empty_policy_keeps_the_library_defaults()
    {
        var policy = CollaborationPolicyFile.Parse("{}");
        var defaults = new CollaborationOptions();
        Assert.Equal((defaults.Privacy, defaults.MinMeanLogprob, defaults.CloudTimeout), (policy.Options.Privacy, policy.Options.MinMeanLogprob, policy.Options.CloudTimeout));
    }

    [Theory]
    [InlineData("""{"privacy": {"mode": "keep-local"}}""", "policy.json: privacy.mode must be \"redact\", \"keep_local\" or \"off\", not \"keep-local\".")]
    [InlineData("""{"privacy": {"patern": []}}""", "policy.json: privacy.patern is not a policy setting")]
    [InlineData("""{"privacy": {"patterns": ["(unclosed"]}}""", "policy.json: privacy.patterns[0] is not a valid regular expression")]
    [InlineData("""{"privacy": {"terms": ["ok", 3]}}""", "policy.json: privacy.terms[1] must be a string.")]
    [InlineData("""{"cascade": {"min_mean_logprob": "low"}}""", "policy.json: cascade.min_mean_logprob must be a number.")]
    [InlineData("""{"cascade": {"min_mean_logprob": 0.5}}""", "policy.json: cascade.min_mean_logprob must be between")]
    [InlineData("""{"routing": {"max_local_prompt_characters": 1.5}}""", "policy.json: routing.max_local_prompt_characters must be an integer.")]
    [InlineData("""{"cloud": {"timeout_seconds": 0}}""", "policy.json: cloud.timeout_seconds must be between")]
    [InlineData("""{"clouds": {}}""", "policy.json: clouds is not a policy setting (expected one of: privacy, cascade, routing, cloud).")]
    [InlineData("""[1, 2]""", "policy.json: $ must be an object.")]
    [InlineData("""{"cloud": {"max_retries": 1""", "policy.json is not valid JSON (line 1")]
    public void Mistakes_are_named_with_their_place(string json, string message)
    {
        var ex = Assert.Throws<InvalidDataException>(() => CollaborationPolicyFile.Parse(json, "policy.json"));
        Assert.StartsWith(message, ex.Message);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => CollaborationPolicyFile.Load("/nonexistent/policy.json"));
        Assert.Contains("/nonexistent/policy.json", ex.Message);
    }
}
