using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Wallfacer.Server.Tests.Collaboration;

/// <summary>
/// A corpus of prompts with every kind of sensitive item the detectors support, and look-alikes that are not
/// sensitive, sent through a collaborative server to a fake cloud that records every byte and echoes what it got.
/// Whatever the policy: no sensitive value (in any of its written forms) ever reaches the cloud; look-alikes pass
/// untouched; and under redaction the echoed placeholders come back to the client as the original values.
/// </summary>
public class PrivacyCorpusTests(CollaborationModels models) : IClassFixture<CollaborationModels>
{
    private const string Policy = """
        { "privacy": { "mode": "MODE", "patterns": ["\\bPRJ-\\d{4}\\b"], "terms": ["Bluebird"] },
          "cascade": { "min_mean_logprob": 0 },
          "cloud": { "timeout_seconds": 30, "max_retries": 0 } }
        """;

    /// <summary>Each sensitive value, with the other forms it could leak in (digits run together, a key's body).</summary>
    public static readonly (string Value, string[] AlsoForbidden)[] Sensitive =
    [
        ("jane.doe+work@example.co.uk", []),
        ("+44 20 7946 0958", ["442079460958", "7946 0958"]),
        ("(555) 123-4567", ["5551234567", "123-4567"]),
        ("13812345678", []),
        ("4111 1111 1111 1111", ["4111111111111111"]),
        ("5500-0000-0000-0004", ["5500000000000004"]),
        ("378282246310005", []),
        ("DE89 3704 0044 0532 0130 00", ["DE89370400440532013000"]),
        ("GB82WEST12345698765432", []),
        ("123-45-6789", ["123 45 6789"]),
        ("11010519491231002X", []),
        ("sk-proj-abcdefghijklmnopqrstuvwx123456", ["abcdefghijklmnopqrstuvwx123456"]),
        ("AKIAIOSFODNN7EXAMPLE", []),
        ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", []),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx3Yq\n-----END RSA PRIVATE KEY-----", ["MIIEowIBAAKCAQEAx3Yq"]),
        ("PRJ-2041", []),
        ("Bluebird", ["bluebird"]),
    ];

    /// <summary>Right shape, wrong checksum or range, or ordinary text: not sensitive, so sent as written.</summary>
    public static readonly string[] LookAlikes =
    [
        "4111 1111 1111 1112",         // Luhn fails
        "1234567890123456",            // Luhn fails
        "DE89 3704 0044 0532 0130 01", // mod 97 fails
        "000-12-3456",                 // SSN area 000
        "666-12-3456",                 // SSN area 666
        "110105194912310021",          // MOD 11-2 fails
        "2025-03-14 at 10:30",         // a date
        "version 10.0.14",
        "ask-me-anything",
        "PRJ-204",                     // the rule's pattern needs four digits
        "bluebirds",                   // terms match whole words
    ];

    private static CancellationTokenSource HangGuard() => new(TimeSpan.FromSeconds(120));

    private static string PromptFor(string item) => $"Please check this for me: {item} and tell me what it is.";

    [Fact]
    public async Task Redaction_never_lets_a_sensitive_value_reach_the_cloud_and_restores_the_answer()
    {
        using var guard = HangGuard();
        var ct = guard.Token;
        await using var cloud = await FaultyCloud.StartAsync(ct); // echoes "You said: <last user message>"
        await using var server = await models.StartCollaborativeAsync(cloud.Endpoint, Policy.Replace("MODE", "redact"), ct);

        foreach (var (value, _) in Sensitive)
        {
            string prompt = PromptFor(value);
            var (status, body) = await Http.PostAsync(server, Http.Chat(prompt, 4), ct);
            Assert.Equal(200, status);
            Assert.Equal("cloud", (string?)body["wallfacer"]!["ran_on"]);
            Assert.True((int)body["wallfacer"]!["privacy"]!["redacted_items"]! == 1, $"{value}: {body["wallfacer"]}");
            Assert.Equal("You said: " + prompt, (string?)body["choices"]![0]!["message"]!["content"]); // placeholders restored
        }
        foreach (string lookAlike in LookAlikes)
        {
            var (status, body) = await Http.PostAsync(server, Http.Chat(PromptFor(lookAlike), 4), ct);
            Assert.Equal(200, status);
            Assert.True((int)body["wallfacer"]!["privacy"]!["sensitive_items"]! == 0, $"{lookAlike} was taken for sensitive: {body["wallfacer"]}");
        }

        // A whole conversation: a system message, a tool call and its result carry values too.
        var conversation = new JsonObject
        {
            ["max_tokens"] = 4,
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = "The user is jane.doe+work@example.co.uk." },
                new JsonObject { ["role"] = "user", ["content"] = "Look up my card." },
                new JsonObject
                {
                    ["role"] = "assistant", ["content"] = "", // the synthetic template cannot concatenate a null content
                    ["tool_calls"] = new JsonArray(new JsonObject
                    {
                        ["id"] = "call_1", ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = "lookup", ["arguments"] = """{"owner":"jane.doe+work@example.co.uk"}""" },
                    }),
                },
                new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_1", ["content"] = "card 4111 1111 1111 1111, IBAN GB82WEST12345698765432" },
                new JsonObject { ["role"] = "user", ["content"] = "Summarise it." }),
        };
        var (convStatus, convBody) = await Http.PostAsync(server, conversation, ct);
        Assert.True(convStatus == 200, convBody.ToJsonString());
        Assert.Equal(3, (int)convBody["wallfacer"]!["privacy"]!["redacted_items"]!);

        string received = cloud.ReceivedText();
        Assert.Equal(Sensitive.Length + LookAlikes.Length + 1, cloud.Bodies.Count);
        foreach (var (value, forms) in Sensitive)
        {
            foreach (string form in forms.Prepend(value)) // as a whole token: "4111…1112" or "bluebirds" are other values
                Assert.False(Regex.IsMatch(received, $@"(?<!\w){Regex.Escape(form)}(?!\w)", RegexOptions.IgnoreCase), $"'{form}' reached the cloud");
        }
        foreach (string lookAlike in LookAlikes)
            Assert.Contains(PromptFor(lookAlike), received); // sent as written, not redacted
        Assert.Contains("[EMAIL_1]", received);
        Assert.Contains("[PRIVATE_KEY_1]", received);
    }

    [Fact]
    public async Task Keep_local_opens_no_connection_to_the_cloud_for_any_sensitive_prompt()
    {
        using var guard = HangGuard();
        var ct = guard.Token;
        await using var cloud = await FaultyCloud.StartAsync(ct);
        await using var server = await models.StartCollaborativeAsync(cloud.Endpoint, Policy.Replace("MODE", "keep_local"), ct);
        var hard = new JsonObject { ["wallfacer"] = new JsonObject { ["difficulty"] = "hard" } };
        foreach (var (value, _) in Sensitive)
        {
            var (status, body) = await Http.PostAsync(server, Http.Chat(PromptFor(value), 4, hard), ct);
            Assert.Equal(200, status);
            Assert.Equal("local", (string?)body["wallfacer"]!["ran_on"]);
        }
        Assert.Empty(cloud.ReceivedBytes);

        var (_, open) = await Http.PostAsync(server, Http.Chat(PromptFor(LookAlikes[0]), 4, hard), ct); // not sensitive: may leave
        Assert.Equal("cloud", (string?)open["wallfacer"]!["ran_on"]);
        Assert.NotEmpty(cloud.ReceivedBytes);
    }
}
