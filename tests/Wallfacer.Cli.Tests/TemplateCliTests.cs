using System.Text.Json.Nodes;
using Wallfacer.Models.Synthetic;
using Wallfacer.Numerics.Quants;
using Wallfacer.TestSupport;

namespace Wallfacer.Cli.Tests;

/// <summary><c>wallfacer template</c>: prints exactly what Python jinja2 rendered for corpus cases, nothing added.</summary>
public sealed class TemplateCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "wallfacer-tests", "template-" + Guid.NewGuid().ToString("N"));
    private static string Corpus => Path.Combine(TestPaths.SharedDir, "chat-templates");

    public TemplateCliTests() => Directory.CreateDirectory(_dir);

    /// <summary>Writes VARS.json for a manifest case: its variables plus the conversation's messages.</summary>
    private string VarsFor(JsonObject testCase)
    {
        var conversation = JsonNode.Parse(File.ReadAllText(Path.Combine(Corpus, (string)testCase["conversation"]!)))!;
        var vars = new JsonObject { ["messages"] = conversation["messages"]!.DeepClone() };
        foreach (var (key, value) in testCase["variables"]!.AsObject())
            vars[key] = value?.DeepClone();
        string path = Path.Combine(_dir, (string)testCase["id"]! + ".json");
        File.WriteAllText(path, vars.ToJsonString());
        return path;
    }

    private static JsonObject Case(string id) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Corpus, "manifest.json")))!["cases"]!.AsArray()
            .Select(c => c!.AsObject()).Single(c => (string)c["id"]! == id);

    [SharedTheory]
    [InlineData("llama-3.1-8b-instruct__c08_tools_defined")]
    [InlineData("qwen3-0.6b__c14_thinking_history")]
    [InlineData("minicpm3-tool__c05_unicode")]
    public void Prints_the_rendered_prompt_byte_for_byte(string id)
    {
        var testCase = Case(id);
        Assert.Equal("ok", (string)testCase["outcome"]!);
        var (exit, stdout, stderr) = CliProcess.RunBytes("template", "--template", Path.Combine(Corpus, (string)testCase["template"]!), "--vars", VarsFor(testCase));
        Assert.True(exit == 0, stderr);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Corpus, (string)testCase["expected"]!)), stdout);
    }

    [SharedFact]
    public void A_template_error_is_one_line_on_stderr_and_a_non_zero_exit()
    {
        var testCase = JsonNode.Parse(File.ReadAllText(Path.Combine(Corpus, "manifest.json")))!["cases"]!.AsArray()
            .Select(c => c!.AsObject()).First(c => (string?)c["error_type"] == "raise_exception");
        var result = CliProcess.Run("template", "--template", Path.Combine(Corpus, (string)testCase["template"]!), "--vars", VarsFor(testCase));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Empty(result.StdOut);
        Assert.Contains(File.ReadAllText(Path.Combine(Corpus, (string)testCase["expected"]!)), result.StdErr);
    }

    [Fact]
    public void A_model_renders_its_own_template_or_a_built_in_one_with_a_note()
    {
        string withTemplate = Path.Combine(_dir, "chat.gguf"), without = Path.Combine(_dir, "plain.gguf");
        var spec = new SyntheticModelSpec { VocabSize = 300, WeightType = GgmlType.Q8_0, EmbeddingLength = 32, HeadCount = 2, KvHeadCount = 1, FeedForwardLength = 64 };
        SyntheticModelWriter.Write(spec with { WithChatTemplate = true }, withTemplate);
        SyntheticModelWriter.Write(spec, without);
        string vars = Path.Combine(_dir, "vars.json");
        File.WriteAllText(vars, """{"messages": [{"role": "user", "content": "hi"}], "add_generation_prompt": true}""");

        var own = CliProcess.Run("template", "-m", withTemplate, "--vars", vars);
        Assert.True(own.ExitCode == 0, own.StdErr);
        Assert.Equal("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", own.StdOut);

        var fallback = CliProcess.Run("template", "-m", without, "--vars", vars);
        Assert.True(fallback.ExitCode == 0, fallback.StdErr);
        Assert.Contains("has no tokenizer.chat_template", fallback.StdErr);
        Assert.Contains("hi", fallback.StdOut);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
