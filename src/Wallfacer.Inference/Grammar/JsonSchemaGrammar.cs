using System.Text;
using System.Text.Json;

namespace Wallfacer.Inference.Grammar;

/// <summary>
/// JSON Schema → GBNF, so structured output is enforced while sampling. Supported: type (incl. arrays of
/// types), properties in declared order with required/optional, enum, const, items/minItems/maxItems,
/// string minLength/maxLength, $ref to #/$defs or #/definitions (recursive), anyOf/oneOf. Annotations are
/// ignored. Any other keyword that would change what is valid is refused with its JSON-pointer path — a
/// schema is never silently loosened. Whitespace is bounded (at most one space between tokens).
/// </summary>
public static class JsonSchemaGrammar
{
    private static readonly HashSet<string> Annotations =
        ["title", "description", "examples", "$schema", "$id", "default", "$comment", "deprecated", "readOnly", "writeOnly", "strict"];

    private static readonly HashSet<string> Understood =
        ["type", "properties", "required", "additionalProperties", "enum", "const", "items", "minItems", "maxItems",
         "minLength", "maxLength", "$ref", "$defs", "definitions", "anyOf", "oneOf"];

    private const string Common = """
        ws ::= " "?
        string ::= "\"" char* "\"" ws
        char ::= [^"\\\x00-\x1F] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F]{4})
        integer ::= "-"? ("0" | [1-9] [0-9]{0,15}) ws
        number ::= "-"? ("0" | [1-9] [0-9]{0,15}) ("." [0-9]{1,16})? ([eE] [-+]? [0-9]{1,3})? ws
        boolean ::= ("true" | "false") ws
        null ::= "null" ws
        value-any ::= object-any | array-any | string | number | boolean | null
        object-any ::= "{" ws ( string ":" ws value-any ("," ws string ":" ws value-any)* )? "}" ws
        array-any ::= "[" ws ( value-any ("," ws value-any)* )? "]" ws
        """;

    /// <summary>Any JSON object (<c>response_format: json_object</c>).</summary>
    public static GbnfGrammar AnyJsonObject { get; } = GbnfGrammar.Parse(Common + "\nroot ::= object-any\n");

    public static GbnfGrammar Compile(JsonElement schema) => GbnfGrammar.Parse(ToGbnf(schema));

    /// <summary>The GBNF text for <paramref name="schema"/> (root rule <c>root</c>).</summary>
    public static string ToGbnf(JsonElement schema)
    {
        var builder = new Builder(schema);
        string root = builder.Rule(schema, "#", "root");
        return builder.Text(root);
    }

    private sealed class Builder(JsonElement document)
    {
        private readonly StringBuilder _rules = new();
        private readonly Dictionary<string, string> _refs = [];
        private int _count;

        public string Text(string root) => Common + "\n" + (root == "root" ? "" : $"root ::= {root}\n") + _rules;

        /// <summary>Defines a rule for the schema at <paramref name="path"/> and returns its name.</summary>
        public string Rule(JsonElement schema, string path, string? name = null)
        {
            name ??= "r" + _count++;
            string body = Body(schema, path); // first: nested schemas append their own rules
            _rules.Append(name).Append(" ::= ").Append(body).Append('\n');
            return name;
        }

        private string Body(JsonElement schema, string path)
        {
            if (schema.ValueKind == JsonValueKind.True)
                return "value-any";
            if (schema.ValueKind != JsonValueKind.Object)
                throw new GrammarException($"{path}: a schema must be an object or true.");
            foreach (var property in schema.EnumerateObject())
            {
                if (!Understood.Contains(property.Name) && !Annotations.Contains(property.Name))
                    throw new GrammarException($"{path}/{property.Name}: the keyword '{property.Name}' cannot be enforced while sampling.");
            }
            if (schema.TryGetProperty("$ref", out var reference))
                return Reference(reference.GetString() ?? "", path);
            if (schema.TryGetProperty("const", out var constant))
                return Literal(constant);
            if (schema.TryGetProperty("enum", out var values))
                return "(" + string.Join(" | ", values.EnumerateArray().Select(Literal)) + ")";
            foreach (string combinator in new[] { "anyOf", "oneOf" })
            {
                if (schema.TryGetProperty(combinator, out var branches))
                    return "(" + string.Join(" | ", branches.EnumerateArray().Select((b, i) => Rule(b, $"{path}/{combinator}/{i}"))) + ")";
            }
            if (!schema.TryGetProperty("type", out var type))
            {
                if (schema.TryGetProperty("properties", out _))
                    return Object(schema, path);
                throw new GrammarException($"{path}: the schema gives no type (nor const, enum, $ref, anyOf or oneOf); an open value cannot be enforced.");
            }
            if (type.ValueKind == JsonValueKind.Array)
                return "(" + string.Join(" | ", type.EnumerateArray().Select(t => TypeBody(t.GetString()!, schema, path))) + ")";
            return TypeBody(type.GetString() ?? "", schema, path);
        }

        private string TypeBody(string type, JsonElement schema, string path) => type switch
        {
            "string" => StringBody(schema, path),
            "integer" => "integer",
            "number" => "number",
            "boolean" => "boolean",
            "null" => "null",
            "object" => Object(schema, path),
            "array" => Array(schema, path),
            _ => throw new GrammarException($"{path}/type: unknown type '{type}'."),
        };

        private static string StringBody(JsonElement schema, string path)
        {
            int min = Count(schema, "minLength", path) ?? 0;
            int? max = Count(schema, "maxLength", path);
            if (min == 0 && max is null)
                return "string";
            return $"\"\\\"\" char{{{min},{(max is int m ? m.ToString() : "")}}} \"\\\"\" ws";
        }

        private string Object(JsonElement schema, string path)
        {
            var required = schema.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(e => e.GetString()!).ToHashSet() : [];
            var properties = schema.TryGetProperty("properties", out var p)
                ? p.EnumerateObject().Select(x => (x.Name, Rule: Rule(x.Value, $"{path}/properties/{x.Name}"), Required: required.Contains(x.Name))).ToList()
                : [];
            foreach (string name in required)
            {
                if (!properties.Any(x => x.Name == name))
                    throw new GrammarException($"{path}/required: '{name}' is required but has no schema in properties.");
            }
            if (properties.Count == 0)
                return "\"{\" ws \"}\" ws";
            // first_i: the first present property is i (no comma before it); tail_j: the rest, each with a comma.
            var kv = properties.Select(x => $"{Quote(JsonSerializer.Serialize(x.Name))} ws \":\" ws {x.Rule}").ToList();
            string tail = "";
            string first = "";
            for (int i = properties.Count - 1; i >= 0; i--)
            {
                string next = tail;
                tail = properties[i].Required ? $"\",\" ws {kv[i]} {next}" : $"(\",\" ws {kv[i]})? {next}";
                string startHere = $"{kv[i]} {next}";
                first = properties[i].Required ? startHere : (first.Length == 0 ? $"({startHere})?" : $"({startHere} | {first})");
            }
            return $"\"{{\" ws {first} \"}}\" ws";
        }

        private string Array(JsonElement schema, string path)
        {
            string item = schema.TryGetProperty("items", out var items) ? Rule(items, $"{path}/items") : "value-any";
            int min = Count(schema, "minItems", path) ?? 0;
            int? max = Count(schema, "maxItems", path);
            if (max is 0)
                return "\"[\" ws \"]\" ws";
            string more = $"(\",\" ws {item}){{{Math.Max(0, min - 1)},{(max is int m ? (m - 1).ToString() : "")}}}";
            string list = $"{item} {more}";
            return min == 0 ? $"\"[\" ws ({list})? \"]\" ws" : $"\"[\" ws {list} \"]\" ws";
        }

        private string Reference(string reference, string path)
        {
            if (_refs.TryGetValue(reference, out string? known))
                return known;
            string[] parts = reference.Split('/');
            if (parts.Length != 3 || parts[0] != "#" || parts[1] is not ("$defs" or "definitions")
                || !document.TryGetProperty(parts[1], out var defs) || !defs.TryGetProperty(parts[2], out var target))
                throw new GrammarException($"{path}/$ref: '{reference}' is not a local #/$defs/… or #/definitions/… reference that exists.");
            string name = "ref" + _count++;
            _refs[reference] = name; // before compiling the target: recursion refers back to the name
            string body = Body(target, reference);
            _rules.Append(name).Append(" ::= ").Append(body).Append('\n');
            return name;
        }

        private static int? Count(JsonElement schema, string keyword, string path)
        {
            if (!schema.TryGetProperty(keyword, out var v))
                return null;
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int n) || n < 0 || n > 10_000)
                throw new GrammarException($"{path}/{keyword}: must be an integer in 0..10000.");
            return n;
        }

        private static string Literal(JsonElement value) => Quote(JsonSerializer.Serialize(value)) + " ws";

        /// <summary>A GBNF string literal for <paramref name="text"/>.</summary>
        private static string Quote(string text)
        {
            var s = new StringBuilder("\"");
            foreach (char c in text)
            {
                s.Append(c switch
                {
                    '"' => "\\\"",
                    '\\' => "\\\\",
                    '\n' => "\\n",
                    '\r' => "\\r",
                    '\t' => "\\t",
                    _ => c.ToString(),
                });
            }
            return s.Append('"').ToString();
        }
    }
}
