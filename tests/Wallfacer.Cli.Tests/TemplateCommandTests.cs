using System.Text;
using System.Text.Json.Nodes;
using Wallfacer.TestSupport;

namespace Wallfacer.Cli.Tests;

/// <summary><c>wallfacer template</c>: the rendered prompt on stdout, byte for byte, nothing added.</summary>
public class TemplateCommandTests
{
    private static readonly string Corpus = Path.Combine(TestPaths.SharedDir, "chat-templates");

    /// <summary>Writes a manifest case's variables (its conversation's messages plus the case's variables) to a file.</summary>
    private static (string Template, string Vars, string Expected) CorpusCase(string id)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(Corpus, "manifest.json")))!;
        var testCase = manifest["cases"]!.AsArray().Single(c => (string)c!["id"]! == id)!;
        var conversation = JsonNode.Parse(File.ReadAllText(Path.Combine(Corpus, (string)testCase["conversation"]!)))!;
        var variables = new JsonObject { ["messages"] = conversation["messages"]!.DeepClone() };
        foreach (var pair in testCase["variables"]!.AsObject())
            variables[pair.Key] = pair.Value?.DeepClone();
        string vars = Path.Combine(TestPaths.NewTempDir(), "vars.json");
        File.WriteAllText(vars, variables.ToJsonString());
        return (Path.Combine(Corpus, (string)testCase["template"]!), vars, Path.Combine(Corpus, (string)testCase["expected"]!));
    }

    [SharedTheory]
    [InlineData("qwen3-0.6b__c08_tools_defined")]
    [InlineData("llama-3.1-8b-instruct__c05_unicode")]
    [InlineData("mistral-nemo-instruct-2407__c06_jinja_special_chars")]
    public void Renders_a_manifest_case_byte_for_byte(string id)
    {
        var (template, vars, expected) = CorpusCase(id);
        var (exitCode, stdout, stderr) = CliProcess.RunBytes("template", "--template", template, "--vars", vars);
        Assert.True(exitCode == 0, stderr);
        Assert.Equal(File.ReadAllBytes(expected), stdout);
    }

    [SharedFact]
    public void A_raise_exception_case_is_one_line_on_stderr_and_a_non_zero_exit()
    {
        var (template, vars, expected) = CorpusCase("gemma-2-2b-it__c03_system_multi_turn");
        var r = CliProcess.Run("template", "--template", template, "--vars", vars);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Equal("", r.StdOut);
        Assert.Contains(File.ReadAllText(expected), r.StdErr);
        Assert.Single(r.StdErr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void Prints_the_prompt_exactly_with_no_newline_or_bom()
    {
        string dir = TestPaths.NewTempDir();
        string template = Path.Combine(dir, "t.jinja");
        string vars = Path.Combine(dir, "vars.json");
        File.WriteAllText(template, "{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}\n");
        File.WriteAllText(vars, """{"messages": [{"role": "user", "content": "héllo 🎉"}]}""");
        var (exitCode, stdout, stderr) = CliProcess.RunBytes("template", "--template", template, "--vars", vars);
        Assert.True(exitCode == 0, stderr);
        Assert.Equal(Encoding.UTF8.GetBytes("<user>héllo 🎉"), stdout);
    }

    [SharedFact]
    public void A_model_without_a_template_falls_back_to_a_built_in_with_a_note()
    {
        string vars = Path.Combine(TestPaths.NewTempDir(), "vars.json");
        File.WriteAllText(vars, """{"messages": [{"role": "user", "content": "Hi"}], "add_generation_prompt": true}""");
        var r = CliProcess.Run("template", "-m", TestPaths.SharedModel("stories260K.gguf"), "--vars", vars);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", r.StdOut);
        Assert.Contains("built-in 'chatml'", r.StdErr);
    }

    [Fact]
    public void Model_and_template_together_are_rejected()
    {
        var r = CliProcess.Run("template", "-m", "a.gguf", "--template", "b.jinja", "--vars", "v.json");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("exactly one of --model", r.StdErr);
    }
}
