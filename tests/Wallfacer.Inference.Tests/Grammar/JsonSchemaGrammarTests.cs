using System.Text.Json;
using Wallfacer.Inference.Grammar;

namespace Wallfacer.Inference.Tests.Grammar;

public class JsonSchemaGrammarTests
{
    private static GbnfGrammar Compile(string schema)
    {
        using var doc = JsonDocument.Parse(schema);
        return JsonSchemaGrammar.Compile(doc.RootElement);
    }

    private static bool Matches(GbnfGrammar grammar, string text)
    {
        var m = grammar.CreateMatcher();
        return m.Accept(text) && m.IsComplete;
    }

    [Theory]
    [InlineData("""{"a": 1, "b": true}""", true)]
    [InlineData("""{"a": 1}""", true)]
    [InlineData("""{ "a" : 1 ,"x": true , "b": false }""", false)] // declared properties come first, in order
    [InlineData("""{"a": 1, "b": true, "x": false, "y": true}""", true)]
    [InlineData("""{"a": 1, "b": true, "x": 3}""", false)]
    [InlineData("""{"a": 1, "a": true}""", false)] // an undeclared key is never a declared one
    [InlineData("""{"a": 1, "ab": true}""", true)]
    [InlineData("""{"a": 1, "": true}""", true)]
    [InlineData("""{"b": true}""", false)]
    public void Additional_properties_with_a_schema(string text, bool expected) =>
        Assert.Equal(expected, Matches(Compile("""
            {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "boolean"}}, "required": ["a"],
             "additionalProperties": {"type": "boolean"}}
            """), text));

    [Theory]
    [InlineData("{}", true)]
    [InlineData("""{"z": 1}""", true)]
    [InlineData("""{"x": 1, "z": 2}""", true)]
    [InlineData("""{"z": 1, "x": 2}""", false)]
    [InlineData("""{"y": 1}""", false)]
    public void Optional_properties_in_declared_order_and_closed(string text, bool expected) =>
        Assert.Equal(expected, Matches(Compile("""{"properties": {"x": {"type": "integer"}, "z": {"type": "integer"}}, "additionalProperties": false}"""), text));

    [Fact]
    public void Integer_ranges_are_exact()
    {
        foreach (var (min, max) in new (long?, long?)[] { (18, 130), (-250, -7), (-13, 1001), (0, 0), (7, null), (null, -3), (null, 42), (-5, null), (99, 100) })
        {
            string schema = "{\"type\":\"integer\"" + (min is { } a ? $",\"minimum\":{a}" : "") + (max is { } b ? $",\"maximum\":{b}" : "") + "}";
            var grammar = Compile(schema);
            for (long n = -1200; n <= 1200; n++)
            {
                bool expected = (min is null || n >= min) && (max is null || n <= max);
                Assert.True(expected == Matches(grammar, n.ToString(System.Globalization.CultureInfo.InvariantCulture)), $"{schema}: {n}");
            }
            Assert.False(Matches(grammar, "-0"));
            Assert.False(Matches(grammar, "007"));
        }
    }

    [Theory]
    [InlineData("\"2024-02-29\"", false)]
    [InlineData("\"2024-02-28\"", true)]
    [InlineData("\"2024-04-31\"", false)]
    [InlineData("\"2024-12-31\"", true)]
    public void Dates_are_valid_calendar_dates(string text, bool expected) =>
        Assert.Equal(expected, Matches(Compile("""{"type": "string", "format": "date"}"""), text));

    [Theory]
    [InlineData("\"AB-123\"", true)]
    [InlineData("\"AB-12\"", false)]
    [InlineData("\"xAB-123\"", false)]
    public void Anchored_patterns_match_the_whole_string(string text, bool expected) =>
        Assert.Equal(expected, Matches(Compile("""{"type": "string", "pattern": "^[A-Z]{2}-\\d{3}$"}"""), text));

    [Theory]
    [InlineData("\"xx-1yy\"", true)]
    [InlineData("\"-1\"", true)]
    [InlineData("\"x-y\"", false)]
    public void Unanchored_patterns_match_anywhere(string text, bool expected) =>
        Assert.Equal(expected, Matches(Compile("""{"type": "string", "pattern": "-\\d"}"""), text));

    [Theory]
    [InlineData("\"\\\"\"", true)]
    [InlineData("\"\\\\\"", true)]
    [InlineData("\"a\"", true)]
    [InlineData("\"b\"", false)]
    public void Pattern_characters_are_escaped_inside_the_json_string(string text, bool expected) =>
        Assert.Equal(expected, Matches(Compile("""{"type": "string", "pattern": "^[a\"\\\\]$"}"""), text));

    [Fact]
    public void Recursive_refs_and_any_json()
    {
        var tree = Compile("""{"$defs": {"t": {"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/t"}}}}}, "$ref": "#/$defs/t"}""");
        Assert.True(Matches(tree, """{"kids": [{}, {"kids": [{"kids": []}]}]}"""));
        Assert.False(Matches(tree, """{"kids": [1]}"""));
        Assert.True(Matches(JsonSchemaGrammar.AnyJsonObject, """{"a": [1, {"b": null}], "c": "\u00e9"}"""));
        Assert.False(Matches(JsonSchemaGrammar.AnyJsonObject, "[1]"));
    }

    [Theory]
    [InlineData("""{"type": "string", "contentEncoding": "base64"}""", "contentEncoding", "/contentEncoding")]
    [InlineData("""{"properties": {"age": {"type": "integer", "multipleOf": 5}}}""", "multipleOf", "/properties/age/multipleOf")]
    [InlineData("""{"type": "array", "items": {"type": "string", "uniqueItems": true}}""", "uniqueItems", "/items/uniqueItems")]
    [InlineData("""{"type": "object", "patternProperties": {"^x": {}}}""", "patternProperties", "/patternProperties")]
    [InlineData("""{"$defs": {"a": {"type": "number", "minimum": 1}}, "$ref": "#/$defs/a"}""", "minimum", "/$defs/a/minimum")]
    [InlineData("""{"type": "string", "format": "uri"}""", "format", "/format")]
    [InlineData("""{"type": "string", "pattern": "^(a)\\1$"}""", "pattern", "/pattern")]
    [InlineData("""{"type": "string", "pattern": "^a(?=b)"}""", "pattern", "/pattern")]
    [InlineData("""{"$ref": "https://example.com/s.json"}""", "$ref", "/$ref")]
    [InlineData("""{"$ref": "#/$defs/missing"}""", "$ref", "/$ref")]
    [InlineData("""{"anyOf": [{"type": "string"}], "type": "string"}""", "anyOf", "/anyOf")]
    [InlineData("""{"allOf": [{"type": "string"}]}""", "type", "/allOf/0/type")]
    [InlineData("""{"not": {"type": "string"}}""", "not", "/not")]
    [InlineData("""{"type": "integer", "minimum": 1e20}""", "minimum", "/minimum")]
    [InlineData("""{"type": "string", "maxLength": 100000}""", "maxLength", "/maxLength")]
    [InlineData("""{"type": "thing"}""", "type", "/type")]
    public void Unsupported_keywords_name_the_keyword_and_path(string schema, string keyword, string path)
    {
        var e = Assert.Throws<GrammarException>(() => Compile(schema));
        Assert.Equal(keyword, e.Keyword);
        Assert.Equal(path, e.SchemaPath);
        Assert.Contains($"'#{path}'", e.Message);
    }

    [Fact]
    public void Annotations_are_ignored()
    {
        var g = Compile("""{"$schema": "x", "$id": "y", "title": "t", "description": "d", "examples": [1], "default": 1, "$comment": "c", "type": "integer"}""");
        Assert.True(Matches(g, "12"));
    }

    [Fact]
    public void Deep_schemas_hit_the_depth_limit()
    {
        string schema = string.Concat(Enumerable.Repeat("{\"type\":\"array\",\"items\":", 100)) + "{}" + new string('}', 100);
        using var doc = JsonDocument.Parse(schema, new JsonDocumentOptions { MaxDepth = 256 });
        Assert.Contains("levels deep", Assert.Throws<GrammarException>(() => JsonSchemaGrammar.Compile(doc.RootElement)).Message);
    }
}

public class JsonSchemaEnumTests
{
    private static bool Matches(string schema, string text)
    {
        using var doc = JsonDocument.Parse(schema);
        var m = JsonSchemaGrammar.Compile(doc.RootElement).CreateMatcher();
        return m.Accept(text) && m.IsComplete;
    }

    [Theory]
    [InlineData("\"a\"", true)]
    [InlineData("\"abcdef\"", false)]
    [InlineData("1", false)]
    [InlineData("null", true)]
    public void Enum_values_are_filtered_by_their_sibling_keywords(string text, bool expected) =>
        Assert.Equal(expected, Matches("""{"type": ["string", "null"], "maxLength": 3, "enum": ["a", "abcdef", 1, null]}""", text));

    [Fact]
    public void A_const_that_violates_its_type_is_an_error()
    {
        using var doc = JsonDocument.Parse("""{"type": "string", "const": 3}""");
        var e = Assert.Throws<GrammarException>(() => JsonSchemaGrammar.Compile(doc.RootElement));
        Assert.Equal("const", e.Keyword);
    }
}
