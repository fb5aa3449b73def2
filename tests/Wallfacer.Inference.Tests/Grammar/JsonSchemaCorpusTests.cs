using System.Diagnostics;
using System.Text.Json;
using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Grammar;
using Wallfacer.Inference.Sampling;
using Wallfacer.Inference.Tests.Engine;
using Xunit.Abstractions;

namespace Wallfacer.Inference.Tests.Grammar;

/// <summary>
/// Every schema of the corpus (schema-corpus.json) is compiled, and a random-weight model — whose free output is
/// garbage — samples from it under the grammar at temperatures 1 to 2: every output must parse and validate.
/// </summary>
public class JsonSchemaCorpusTests(SyntheticModelFixture fixture, ITestOutputHelper output) : IClassFixture<SyntheticModelFixture>
{
    /// <summary>Outputs sampled per schema (50 schemas → 1,000 outputs).</summary>
    private const int OutputsPerSchema = 20;

    internal static List<(string Name, JsonElement Schema)> Corpus()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Grammar", "schema-corpus.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return [.. doc.RootElement.EnumerateArray().Select(e => (e.GetProperty("name").GetString()!, e.GetProperty("schema").Clone()))];
    }

    [Fact]
    public void Every_sampled_output_parses_and_validates()
    {
        var corpus = Corpus();
        Assert.True(corpus.Count >= 40);
        using var model = LanguageModel.Load(fixture.Path);
        using var session = model.CreateSession(new SessionOptions { Threads = 1, ContextLength = 512, BatchSize = 16 });
        var clock = Stopwatch.StartNew();
        int validated = 0, tokens = 0;
        foreach (var (name, schema) in corpus)
        {
            GbnfGrammar grammar = JsonSchemaGrammar.Compile(schema);
            for (int i = 0; i < OutputsPerSchema; i++)
            {
                session.Reset();
                var result = TextGenerator.Complete(session, "json:", new GenerationOptions
                {
                    MaxTokens = 480,
                    Grammar = grammar,
                    Sampling = new SamplerOptions { Seed = (ulong)(1000 * validated + 7), Temperature = 1.0f + i % 5 * 0.25f, TopK = 0, TopP = 1, MinP = 0 },
                });
                Assert.True(result.FinishReason == FinishReason.EndOfGeneration, $"{name} #{i}: {result.FinishReason} after {result.Text}");
                JsonDocument doc;
                try { doc = JsonDocument.Parse(result.Text); }
                catch (JsonException e) { throw new Xunit.Sdk.XunitException($"{name} #{i}: not JSON ({e.Message}): {result.Text}"); }
                using (doc)
                {
                    var errors = JsonSchemaValidator.Validate(schema, doc.RootElement);
                    Assert.True(errors.Count == 0, $"{name} #{i}: {string.Join("; ", errors)} in {result.Text}");
                }
                if (i == 0) output.WriteLine($"{name}: {result.Text.Trim()}");
                tokens += result.Steps.Count;
                validated++;
            }
        }
        output.WriteLine($"{validated} outputs from {corpus.Count} schemas validated ({tokens} tokens) in {clock.Elapsed.TotalSeconds:F1} s");
    }
}
