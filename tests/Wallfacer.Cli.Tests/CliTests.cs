using System.Text.Json;
using Wallfacer.TestSupport;

namespace Wallfacer.Cli.Tests;

public class CliTests
{
    private static readonly string Stories = TestPaths.SharedModel("stories260K.gguf");

    [SharedFact]
    public void Run_streams_a_story_from_stories260K()
    {
        var r = CliProcess.Run("run", "-m", Stories, "-p", "Once upon a time", "-n", "40", "--temperature", "0");
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("Once upon a time, there was a little girl named Lily", r.StdOut);
        Assert.Contains("tok/s", r.StdErr);
    }

    [SharedFact]
    public void Run_json_reports_tokens_text_timings_and_logprobs()
    {
        var r = CliProcess.Run("run", "-m", Stories, "-p", "Once upon a time", "-n", "8", "--temperature", "0", "--top-logprobs", "3", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.StdOut);
        var root = doc.RootElement;
        Assert.Equal(1, root.GetProperty("promptTokens")[0].GetInt32()); // BOS
        Assert.Equal(8, root.GetProperty("generatedTokens").GetArrayLength());
        Assert.StartsWith(", there was", root.GetProperty("text").GetString());
        var steps = root.GetProperty("logprobs");
        Assert.Equal(8, steps.GetArrayLength());
        Assert.Equal(3, steps[0].GetProperty("top").GetArrayLength());
        Assert.True(root.GetProperty("timings").GetProperty("generationTokensPerSecond").GetDouble() > 0);
    }

    [SharedFact]
    public void Inspect_json_lists_metadata_and_tensors()
    {
        var r = CliProcess.Run("inspect", Stories, "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.StdOut);
        Assert.Equal("llama", doc.RootElement.GetProperty("architecture").GetString());
        Assert.True(doc.RootElement.GetProperty("tensors").GetArrayLength() > 10);
        Assert.True(doc.RootElement.GetProperty("parameters").GetInt64() > 200_000);
    }

    [SharedFact]
    public void Tokenize_prints_ids_and_pieces()
    {
        var r = CliProcess.Run("tokenize", "-m", Stories, "Once upon a time", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.StdOut);
        var tokens = doc.RootElement.GetProperty("tokens");
        Assert.Equal(1, tokens[0].GetProperty("id").GetInt32());
        Assert.Equal("Once upon a time", string.Concat(tokens.EnumerateArray().Skip(1).Select(t => t.GetProperty("piece").GetString())).Replace('▁', ' ').Trim());
    }

    [Fact]
    public void A_missing_model_is_one_clear_line_and_a_non_zero_exit()
    {
        var r = CliProcess.Run("run", "-m", "/nonexistent/model.gguf", "-p", "hi");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("/nonexistent/model.gguf", r.StdErr);
        Assert.DoesNotContain("   at ", r.StdErr); // no stack trace without --verbose
    }

    [Fact]
    public void A_file_that_is_not_gguf_is_rejected_clearly()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "notamodel.gguf");
        File.WriteAllText(path, "this is not a gguf file at all");
        var r = CliProcess.Run("inspect", path);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("offset", r.StdErr);
        Assert.DoesNotContain("   at ", r.StdErr);
    }

    [Fact]
    public void Synth_then_run_works_end_to_end()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "tiny.gguf");
        var synth = CliProcess.Run("synth", "tiny", "-o", path, "--type", "Q4_0");
        Assert.Equal(0, synth.ExitCode);
        var run = CliProcess.Run("run", "-m", path, "-p", "hello", "-n", "5", "--seed", "3", "--json");
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.StdOut);
        Assert.Equal(3UL, doc.RootElement.GetProperty("seed").GetUInt64());
    }

    [Fact]
    public void Run_with_a_json_schema_makes_a_random_model_write_valid_json()
    {
        string dir = TestPaths.NewTempDir();
        string model = Path.Combine(dir, "tiny.gguf"), schema = Path.Combine(dir, "schema.json");
        Assert.Equal(0, CliProcess.Run("synth", "tiny", "-o", model).ExitCode);
        File.WriteAllText(schema, """
            {"type": "object", "properties": {"ok": {"type": "boolean"}, "n": {"type": "integer", "minimum": 1, "maximum": 9}},
             "required": ["ok", "n"], "additionalProperties": false}
            """);
        var run = CliProcess.Run("run", "-m", model, "-p", "answer:", "-n", "200", "--seed", "7", "--json-schema", schema, "--json");
        Assert.Equal(0, run.ExitCode);
        using var output = JsonDocument.Parse(run.StdOut);
        using var answer = JsonDocument.Parse(output.RootElement.GetProperty("text").GetString()!);
        Assert.True(answer.RootElement.GetProperty("ok").ValueKind is JsonValueKind.True or JsonValueKind.False);
        Assert.InRange(answer.RootElement.GetProperty("n").GetInt32(), 1, 9);
        Assert.Equal(2, answer.RootElement.EnumerateObject().Count());
    }

    [Fact]
    public void An_unsupported_schema_keyword_is_named_in_a_one_line_error()
    {
        string dir = TestPaths.NewTempDir();
        string model = Path.Combine(dir, "tiny.gguf"), schema = Path.Combine(dir, "schema.json");
        Assert.Equal(0, CliProcess.Run("synth", "tiny", "-o", model).ExitCode);
        File.WriteAllText(schema, """{"type": "object", "properties": {"a": {"type": "string", "contentMediaType": "image/png"}}}""");
        var run = CliProcess.Run("run", "-m", model, "-p", "x", "--json-schema", schema);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("contentMediaType", run.StdErr);
        Assert.Contains("schema.json", run.StdErr);
    }

    [Fact]
    public void Bench_grammar_reports_free_and_constrained_token_times()
    {
        var r = CliProcess.Run("bench-grammar", "--preset", "tiny", "-n", "24", "-r", "1", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.StdOut);
        var root = doc.RootElement;
        Assert.True(root.GetProperty("freeMsPerToken").GetDouble() > 0);
        Assert.True(root.GetProperty("constrainedMsPerToken").GetDouble() > 0);
        Assert.InRange(root.GetProperty("constrainedTokens").GetDouble(), 1, 24);
    }

    [SharedFact]
    public void Perplexity_runs_on_a_text_file()
    {
        string text = Path.Combine(TestPaths.NewTempDir(), "story.txt");
        File.WriteAllText(text, string.Concat(Enumerable.Repeat("Once upon a time, there was a little girl named Lily. She loved to play outside in the park. ", 30)));
        var r = CliProcess.Run("perplexity", "-m", Stories, "-f", text, "--ctx", "128");
        Assert.Equal(0, r.ExitCode);
        Assert.Matches(@"perplexity: \d+\.\d+", r.StdOut);
    }
}

public class BenchCliTests
{
    [Fact]
    public void Bench_json_reports_speeds_memory_and_zero_allocations_per_token()
    {
        string model = Path.Combine(TestPaths.NewTempDir(), "tiny.gguf");
        Assert.Equal(0, CliProcess.Run("synth", "tiny", "-o", model, "--type", "Q4_0").ExitCode);
        var r = CliProcess.Run("bench", "-m", model, "-p", "16", "-n", "8", "-r", "1", "--threads", "1", "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = System.Text.Json.JsonDocument.Parse(r.StdOut);
        string text = doc.RootElement.ToString();
        Assert.Contains("romptTokensPerSecond", text);
        Assert.Contains("enerationTokensPerSecond", text);
    }
}
