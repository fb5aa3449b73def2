using System.Text.Json;
using System.Text.Json.Nodes;
using Wallfacer.Inference.Chat;
using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Sampling;
using Wallfacer.Inference.Tests.Grammar;
using Wallfacer.Inference.Tools;
using Wallfacer.Models.Synthetic;
using Wallfacer.Numerics.Quants;
using Wallfacer.TestSupport;

namespace Wallfacer.Inference.Tests.Tools;

/// <summary>
/// A random-weight model (whose free output is garbage) given each family's real chat template and tools: the
/// template renders the tools, generation under the call grammar writes a call, and the call parses back to a
/// declared function with arguments valid for its schema.
/// </summary>
public sealed class ToolCallRoundTripTests : IClassFixture<ToolCallRoundTripTests.ToolModel>
{
    private readonly ToolModel _model;

    public ToolCallRoundTripTests(ToolModel model) => _model = model;

    /// <summary>A chat model whose vocabulary has the families' tool-call markers, typed as the real ones are.</summary>
    public sealed class ToolModel : IDisposable
    {
        public ToolModel()
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            SyntheticModelWriter.Write(new SyntheticModelSpec
            {
                Architecture = "llama", EmbeddingLength = 64, BlockCount = 1, HeadCount = 2, KvHeadCount = 1,
                FeedForwardLength = 96, VocabSize = 1200, WeightType = GgmlType.Q8_0, ContextLength = 8192, WeightScale = 0.3f,
                WithChatTemplate = true,
                ExtraTokens = [("<tool_call>", 4), ("</tool_call>", 4), ("[TOOL_CALLS]", 3), ("<|tool_call_start|>", 3), ("<|tool_call_end|>", 3)],
            }, Path);
        }

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "wallfacer-tests", Guid.NewGuid().ToString("N") + ".gguf");

        public void Dispose()
        {
            try { File.Delete(Path); } catch (IOException) { }
        }
    }

    /// <summary>MiniCPM5's XML calls have no template among the shared ones: a small ChatML one that lists the tools.</summary>
    private const string XmlTemplate = """
        {%- if tools %}<|im_start|>system
        Call a function as <function name="NAME"><param name="ARG">VALUE</param></function>. Functions:
        {% for t in tools %}{{ t | tojson }}
        {% endfor %}<|im_end|>
        {% endif %}{% for m in messages %}<|im_start|>{{ m.role }}
        {{ m.content }}<|im_end|>
        {% endfor %}{% if add_generation_prompt %}<|im_start|>assistant
        {% endif %}
        """;

    public static TheoryData<string, string> Families() => new()
    {
        { "qwen2.5-7b-instruct.jinja", "hermes" },
        { "qwen3-0.6b.jinja", "hermes" },
        { "hermes-3-llama-3.1-8b-tool_use.jinja", "hermes" },
        { "llama-3.1-8b-instruct.jinja", "llama3" },
        { "llama-3.2-3b-instruct.jinja", "llama3" },
        { "mistral-nemo-instruct-2407.jinja", "mistral" },
        { "minicpm3-tool.jinja", "minicpm" },
        { "xml", "xml" },
    };

    [SharedTheory]
    [MemberData(nameof(Families))]
    public void A_required_call_round_trips(string template, string format)
    {
        var calls = Generate(template, format, ToolChoice.Required, seed: 11, parallel: true);
        Assert.NotEmpty(calls);
        foreach (var call in calls)
            AssertValid(call);
    }

    [SharedTheory]
    [MemberData(nameof(Families))]
    public void A_named_function_is_the_one_called(string template, string format)
    {
        var calls = Generate(template, format, ToolChoice.Function("add"), seed: 5, parallel: false);
        var call = Assert.Single(calls);
        Assert.Equal("add", call.Name);
        AssertValid(call);
    }

    [SharedTheory]
    [InlineData("qwen2.5-7b-instruct.jinja", "hermes", "<tool_call>")]
    [InlineData("mistral-nemo-instruct-2407.jinja", "mistral", "[TOOL_CALLS]")]
    [InlineData("minicpm3-tool.jinja", "minicpm", "<|tool_call_start|>")]
    public void In_auto_mode_the_grammar_switches_on_when_the_model_opens_a_call(string template, string format, string opening)
    {
        // The random model would never open a call by itself: a logit bias on the opening marker makes it do so at
        // once — everything after it is up to the grammar.
        using var model = LanguageModel.Load(_model.Path);
        int open = model.Tokenizer.Vocabulary.Find(opening)!.Value;
        var calls = Generate(template, format, ToolChoice.Auto, seed: 3, parallel: false,
            new Dictionary<int, float> { [open] = 50f });
        AssertValid(Assert.Single(calls));
    }

    [SharedFact]
    public void Calls_sent_back_with_text_arguments_render_as_the_template_expects()
    {
        // OpenAI clients send arguments as a JSON string; templates expect an object (transformers passes one).
        string dir = Path.Combine(TestPaths.SharedDir, "chat-templates");
        var conversation = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "conversations", "c09_tool_call_object_args.json")))!;
        var messages = (JsonArray)conversation["messages"]!.DeepClone();
        var function = messages[1]!["tool_calls"]![0]!["function"]!;
        function["arguments"] = function["arguments"]!.ToJsonString();
        using var model = LanguageModel.Load(_model.Path);
        var formatter = ChatFormatter.ForModel(model, File.ReadAllText(Path.Combine(dir, "templates", "qwen2.5-7b-instruct.jinja")));
        string rendered = formatter.Render(messages, (JsonArray)conversation["tools"]!);
        Assert.Equal(File.ReadAllText(Path.Combine(dir, "expected", "qwen2.5-7b-instruct__c09_tool_call_object_args.txt")), rendered);
    }

    private IReadOnlyList<ToolCall> Generate(string template, string format, ToolChoice choice, ulong seed, bool parallel,
        IReadOnlyDictionary<int, float>? bias = null)
    {
        using var model = LanguageModel.Load(_model.Path);
        string source = template == "xml" ? XmlTemplate
            : File.ReadAllText(Path.Combine(TestPaths.SharedDir, "chat-templates", "templates", template));
        var formatter = ChatFormatter.ForModel(model, source);
        Assert.Equal(format, formatter.ToolCallFormat.Name);
        var session = ToolCallSession.Create(formatter.ToolCallFormat, ToolCallFormatTests.Tools, choice, parallel, model.Tokenizer.Vocabulary)!;
        var messages = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "What is 2 + 3, and the weather in Oslo?" });
        string prompt = formatter.Render(messages, session.TemplateTools()) + session.PromptSuffix;
        var options = session.Apply(new GenerationOptions
        {
            // The random model samples a random number of parallel calls: with seed 11 and qwen2.5's format it ran past
            // 600 tokens (730 characters, seven calls) once the float orders followed llama.cpp's AVX2 build on AVX2
            // machines. The budget lets the walk end; the test asserts the calls, not a length.
            MaxTokens = 3000,
            Sampling = new SamplerOptions { Seed = seed, Temperature = 1f, TopK = 0, TopP = 1, MinP = 0, LogitBias = bias ?? new Dictionary<int, float>() },
            AddSpecialTokens = false,
        });
        using var inference = model.CreateSession(new SessionOptions { ContextLength = 8192, Threads = 1 });
        var run = TextGenerator.Start(inference, formatter.Tokenize(prompt), options);
        _ = run.Steps().ToList();
        Assert.Equal(FinishReason.EndOfGeneration, run.FinishReason);
        var (_, calls) = session.Finish(run.Text);
        return calls;
    }

    private static void AssertValid(ToolCall call)
    {
        var tool = ToolCallFormatTests.Tools.Single(t => t.Name == call.Name);
        using var schema = JsonDocument.Parse(tool.Parameters.ToJsonString());
        using var arguments = JsonDocument.Parse(call.Arguments);
        Assert.Empty(JsonSchemaValidator.Validate(schema.RootElement, arguments.RootElement));
        Assert.Matches("^[a-zA-Z0-9]{9}$", call.Id);
    }
}
