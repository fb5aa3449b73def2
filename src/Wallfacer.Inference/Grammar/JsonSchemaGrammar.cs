using System.Text.Json;

namespace Wallfacer.Inference.Grammar;

/// <summary>
/// JSON Schema → GBNF, in the manner of llama.cpp's common/json-schema-to-grammar.cpp: every sentence of the
/// grammar is a JSON text that validates against the schema (the converse need not hold: the grammar may
/// produce a subset, e.g. object properties come in declared order and undeclared properties only when
/// <c>additionalProperties</c> asks for them). Whitespace between tokens is bounded as in llama.cpp
/// (<c>space ::= | " " | "\n"{1,2} [ \t]{0,20}</c>).
/// </summary>
/// <remarks>
/// Supported: <c>type</c> (one or an array), <c>properties</c>, <c>required</c>, <c>additionalProperties</c>
/// (false, true or a schema), <c>enum</c>, <c>const</c>, <c>items</c>/<c>prefixItems</c>/<c>minItems</c>/<c>maxItems</c>,
/// local <c>$ref</c> (<c>#/$defs/…</c>, <c>#/definitions/…</c>, any <c>#/…</c> pointer; recursion allowed),
/// <c>anyOf</c>/<c>oneOf</c> (as alternatives: <c>oneOf</c> branches are assumed disjoint, as llama.cpp does),
/// <c>allOf</c> of object schemas with distinct properties, string <c>minLength</c>/<c>maxLength</c>/<c>pattern</c>
/// (<see cref="RegexGrammar"/>'s subset)/<c>format</c> (date, time, date-time, uuid, email), and integer
/// <c>minimum</c>/<c>maximum</c>/<c>exclusiveMinimum</c>/<c>exclusiveMaximum</c> within ±10^15. Annotations
/// (<c>title</c>, <c>description</c>, <c>examples</c>, <c>default</c>, <c>$schema</c>, <c>$id</c>, <c>$comment</c>,
/// <c>deprecated</c>, <c>readOnly</c>, <c>writeOnly</c>) are ignored. Any other keyword, and any combination the
/// compiler cannot honour, is a <see cref="GrammarException"/> naming the keyword and its JSON pointer.
/// </remarks>
public static class JsonSchemaGrammar
{
    /// <summary>Deepest nesting of subschemas the compiler follows.</summary>
    public const int MaxSchemaDepth = 64;

    private static readonly Lazy<GbnfGrammar> AnyObject = new(() =>
    {
        using var doc = JsonDocument.Parse("{\"type\":\"object\"}");
        return Compile(doc.RootElement);
    });

    /// <summary>Any JSON object (OpenAI's <c>response_format: {"type": "json_object"}</c>).</summary>
    public static GbnfGrammar AnyJsonObject => AnyObject.Value;

    /// <summary>Compiles <paramref name="schema"/> into a grammar whose sentences validate against it.</summary>
    /// <exception cref="GrammarException">An unsupported keyword or combination (the message names the keyword and path).</exception>
    public static GbnfGrammar Compile(JsonElement schema) => GbnfGrammar.Parse(ToGbnf(schema));

    /// <summary>The GBNF text <see cref="Compile"/> parses (for inspection, or to hand to llama.cpp).</summary>
    public static string ToGbnf(JsonElement schema) => new JsonSchemaCompiler(schema).Compile();

    /// <summary>
    /// GBNF rules for <paramref name="schema"/> whose top rule is named <paramref name="ruleName"/> (no <c>root</c>),
    /// avoiding <paramref name="reservedNames"/>: to embed a JSON value in a larger grammar.
    /// </summary>
    internal static string ToGbnfRules(JsonElement schema, string ruleName, params string[] reservedNames) =>
        new JsonSchemaCompiler(schema, ruleName, reservedNames).Compile();
}
