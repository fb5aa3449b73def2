using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Wallfacer.Inference.Templates;
using Wallfacer.TestSupport;

namespace Wallfacer.Inference.Tests.Templates;

/// <summary>
/// The conformance corpus in <c>../shared/chat-templates</c>: 38 real templates × 15 conversations, with
/// Python jinja2's output (or error) for each. Cases come from <c>manifest.json</c>, so new ones need no code.
/// </summary>
internal static class ChatTemplateCorpus
{
    /// <summary>The clock the corpus was rendered with (manifest <c>fixed_now</c>).</summary>
    public static readonly DateTime FixedNow = new(2025, 3, 14, 9, 26, 53);

    public static readonly JinjaOptions Options = new() { Now = () => FixedNow };

    private static readonly Lazy<Dictionary<string, JsonObject>> Cases = new(LoadCases);
    private static readonly ConcurrentDictionary<string, JinjaTemplate> Templates = new();

    public static string Directory => Path.Combine(TestPaths.SharedDir, "chat-templates");

    public static bool Exists => File.Exists(Path.Combine(Directory, "manifest.json"));

    public static IEnumerable<string> CaseIds => Exists ? Cases.Value.Keys : [];

    public static JsonObject Case(string id) => Cases.Value[id];

    public static string PathOf(JsonObject testCase, string field) => Path.Combine(Directory, (string)testCase[field]!);

    /// <summary>Every variable the template receives: the conversation's messages plus the case's variables.</summary>
    public static JsonObject Variables(JsonObject testCase)
    {
        var conversation = JsonNode.Parse(File.ReadAllText(PathOf(testCase, "conversation")))!.AsObject();
        var variables = new JsonObject { ["messages"] = conversation["messages"]!.DeepClone() };
        foreach (var pair in testCase["variables"]!.AsObject())
            variables[pair.Key] = pair.Value?.DeepClone();
        return variables;
    }

    public static JinjaTemplate Template(JsonObject testCase) =>
        Templates.GetOrAdd(PathOf(testCase, "template"), path => JinjaTemplate.Parse(File.ReadAllText(path), Options));

    private static Dictionary<string, JsonObject> LoadCases()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(Directory, "manifest.json")))!;
        return manifest["cases"]!.AsArray().Select(c => c!.AsObject()).ToDictionary(c => (string)c["id"]!);
    }
}
