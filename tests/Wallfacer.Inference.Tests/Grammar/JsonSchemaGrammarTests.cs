using System.Text.Json;
using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Grammar;
using Wallfacer.Inference.Sampling;
using Wallfacer.Inference.Tests.Engine;

namespace Wallfacer.Inference.Tests.Grammar;

public class JsonSchemaGrammarTests(SyntheticModelFixture fixture) : IClassFixture<SyntheticModelFixture>
{
    public static TheoryData<string> Schemas => new()
    {
        """{"type": "object", "properties": {"name": {"type": "string", "maxLength": 8}, "age": {"type": "integer"}}, "required": ["name", "age"], "additionalProperties": false}""",
        """{"type": "object", "properties": {"a": {"type": "boolean"}, "b": {"type": "null"}}}""",
        """{"type": "object", "properties": {"color": {"enum": ["red", "green", "blue"]}, "ok": {"const": true}}, "required": ["color", "ok"]}""",
        """{"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 3}""",
        """{"type": "object", "properties": {"id": {"type": ["integer", "null"]}, "tags": {"type": "array", "items": {"type": "string", "maxLength": 4}, "maxItems": 2}}, "required": ["id"]}""",
        """{"anyOf": [{"type": "object", "properties": {"x": {"type": "number"}}, "required": ["x"]}, {"type": "boolean"}]}""",
        """{"$defs": {"point": {"type": "object", "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}}, "required": ["x", "y"]}}, "type": "object", "properties": {"from": {"$ref": "#/$defs/point"}, "to": {"$ref": "#/$defs/point"}}, "required": ["from", "to"]}""",
        """{"type": "object", "title": "annotated", "description": "ignored", "properties": {"s": {"type": "string", "minLength": 2, "maxLength": 3, "examples": ["ab"]}}, "required": ["s"]}""",
    };

    [Theory]
    [MemberData(nameof(Schemas))]
    public void Sampled_outputs_validate_against_their_schema(string schemaText)
    {
        using var schemaDoc = JsonDocument.Parse(schemaText);
        var grammar = JsonSchemaGrammar.Compile(schemaDoc.RootElement);
        using var model = LanguageModel.Load(fixture.Path);
        using var session = model.CreateSession(new SessionOptions { ContextLength = 512, Threads = 1 });
        for (ulong seed = 1; seed <= 10; seed++)
        {
            session.Reset();
            var result = TextGenerator.Complete(session, "json:", new GenerationOptions
            {
                MaxTokens = 300, Grammar = grammar,
                Sampling = new SamplerOptions { Seed = seed, Temperature = 1.2f, TopK = 0, TopP = 1, MinP = 0 },
            });
            Assert.True(result.FinishReason == FinishReason.EndOfGeneration, $"seed {seed}: {result.FinishReason}: {result.Text}");
            using var output = JsonDocument.Parse(result.Text);
            var errors = MiniValidator.Validate(schemaDoc.RootElement, output.RootElement, schemaDoc.RootElement);
            Assert.True(errors.Count == 0, $"seed {seed}: {result.Text}: {string.Join("; ", errors)}");
        }
    }

    [Theory]
    [InlineData("""{"type": "string", "pattern": "^a+$"}""", "#/pattern")]
    [InlineData("""{"type": "object", "properties": {"n": {"type": "integer", "minimum": 3}}}""", "#/properties/n/minimum")]
    [InlineData("""{"type": "object", "properties": {"e": {"type": "string", "format": "email"}}}""", "#/properties/e/format")]
    [InlineData("""{"$ref": "#/$defs/missing"}""", "#/$ref")]
    [InlineData("""{"description": "no type"}""", "#: the schema gives no type")]
    public void Unenforceable_schemas_are_refused_naming_the_place(string schema, string where)
    {
        using var doc = JsonDocument.Parse(schema);
        Assert.Contains(where, Assert.Throws<GrammarException>(() => JsonSchemaGrammar.Compile(doc.RootElement)).Message);
    }

    [Fact]
    public void Any_json_object_mode_gives_an_object()
    {
        using var model = LanguageModel.Load(fixture.Path);
        using var session = model.CreateSession(new SessionOptions { ContextLength = 512, Threads = 1 });
        var result = TextGenerator.Complete(session, "json:", new GenerationOptions
        {
            MaxTokens = 400, Grammar = JsonSchemaGrammar.AnyJsonObject,
            Sampling = new SamplerOptions { Seed = 4, Temperature = 0.8f, TopK = 0, TopP = 1, MinP = 0 },
        });
        if (result.FinishReason == FinishReason.EndOfGeneration)
            Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(result.Text).RootElement.ValueKind);
        else
            Assert.StartsWith("{", result.Text); // an open-ended object may outlast the token budget
    }
}

/// <summary>A small validator for the keywords the grammar compiler supports (tests only).</summary>
internal static class MiniValidator
{
    public static List<string> Validate(JsonElement schema, JsonElement value, JsonElement root, string path = "$")
    {
        var errors = new List<string>();
        if (schema.TryGetProperty("$ref", out var r))
        {
            var parts = r.GetString()!.Split('/');
            return Validate(root.GetProperty(parts[1]).GetProperty(parts[2]), value, root, path);
        }
        if (schema.TryGetProperty("anyOf", out var any))
        {
            if (!any.EnumerateArray().Any(s => Validate(s, value, root, path).Count == 0))
                errors.Add($"{path}: matches no anyOf branch");
            return errors;
        }
        if (schema.TryGetProperty("const", out var c) && c.GetRawText() != value.GetRawText())
            errors.Add($"{path}: not the const");
        if (schema.TryGetProperty("enum", out var e) && !e.EnumerateArray().Any(x => x.GetRawText() == value.GetRawText()))
            errors.Add($"{path}: not in enum");
        if (schema.TryGetProperty("type", out var t))
        {
            var types = t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(x => x.GetString()!).ToArray() : [t.GetString()!];
            if (!types.Any(type => Is(type, value)))
                errors.Add($"{path}: not of type {string.Join("|", types)}");
        }
        if (value.ValueKind == JsonValueKind.String)
        {
            int length = value.GetString()!.EnumerateRunes().Count(); // JSON Schema counts code points
            if (schema.TryGetProperty("minLength", out var min) && length < min.GetInt32()) errors.Add($"{path}: too short");
            if (schema.TryGetProperty("maxLength", out var max) && length > max.GetInt32()) errors.Add($"{path}: too long");
        }
        if (value.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties", out var props))
        {
            foreach (var req in schema.TryGetProperty("required", out var rq) ? rq.EnumerateArray() : default(JsonElement.ArrayEnumerator))
                if (!value.TryGetProperty(req.GetString()!, out _)) errors.Add($"{path}: missing {req}");
            foreach (var p in value.EnumerateObject())
            {
                if (props.TryGetProperty(p.Name, out var ps)) errors.AddRange(Validate(ps, p.Value, root, path + "." + p.Name));
                else if (schema.TryGetProperty("additionalProperties", out var ap) && ap.ValueKind == JsonValueKind.False) errors.Add($"{path}: extra {p.Name}");
            }
        }
        if (value.ValueKind == JsonValueKind.Array)
        {
            int n = value.GetArrayLength();
            if (schema.TryGetProperty("minItems", out var mi) && n < mi.GetInt32()) errors.Add($"{path}: too few items");
            if (schema.TryGetProperty("maxItems", out var ma) && n > ma.GetInt32()) errors.Add($"{path}: too many items");
            if (schema.TryGetProperty("items", out var items))
            {
                int i = 0;
                foreach (var item in value.EnumerateArray()) errors.AddRange(Validate(items, item, root, $"{path}[{i++}]"));
            }
        }
        return errors;
    }

    private static bool Is(string type, JsonElement v) => type switch
    {
        "string" => v.ValueKind == JsonValueKind.String,
        "integer" => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out _),
        "number" => v.ValueKind == JsonValueKind.Number,
        "boolean" => v.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => v.ValueKind == JsonValueKind.Null,
        "object" => v.ValueKind == JsonValueKind.Object,
        "array" => v.ValueKind == JsonValueKind.Array,
        _ => false,
    };
}
