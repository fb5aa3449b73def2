using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Wallfacer.Inference.Grammar;

/// <summary>
/// One compilation of a JSON Schema into GBNF (see <see cref="JsonSchemaGrammar"/>). Each visit returns a GBNF
/// expression that ends with <c>space</c>, as llama.cpp's rules do; objects, arrays, <c>$ref</c> targets and
/// property chains become named rules.
/// </summary>
internal sealed partial class JsonSchemaCompiler
{
    private static readonly HashSet<string> Annotations =
        ["title", "description", "examples", "default", "$schema", "$id", "$comment", "deprecated", "readOnly", "writeOnly", "$defs", "definitions"];

    private static readonly HashSet<string> ObjectKeywords = ["properties", "required", "additionalProperties"];
    private static readonly HashSet<string> ArrayKeywords = ["items", "prefixItems", "minItems", "maxItems"];
    private static readonly HashSet<string> StringKeywords = ["minLength", "maxLength", "pattern", "format"];
    private static readonly HashSet<string> NumberKeywords = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"];
    private static readonly HashSet<string> Combinators = ["type", "enum", "const", "$ref", "anyOf", "oneOf", "allOf"];

    private static readonly JsonWriterOptions CompactWriter = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // GBNF of llama.cpp's primitives (common/json-schema-to-grammar.cpp, PRIMITIVE_RULES), with two changes so every
    // sentence is valid JSON for strict parsers: "\/" is allowed, and "\u" escapes exclude lone surrogates.
    private static readonly Dictionary<string, string> PrimitiveBodies = new()
    {
        ["space"] = "| \" \" | \"\\n\"{1,2} [ \\t]{0,20}",
        ["char"] = "[^\"\\\\\\x7F\\x00-\\x1F] | [\\\\] ([\"\\\\/bfnrt] | \"u\" ([0-9a-cA-Ce-fE-F] [0-9a-fA-F]{3} | [dD] [0-7] [0-9a-fA-F]{2}))",
        ["string"] = "\"\\\"\" char* \"\\\"\" space",
        ["boolean"] = "(\"true\" | \"false\") space",
        ["null"] = "\"null\" space",
        ["integral-part"] = "[0] | [1-9] [0-9]{0,15}",
        ["decimal-part"] = "[0-9]{1,16}",
        ["number"] = "(\"-\"? integral-part) (\".\" decimal-part)? ([eE] [-+]? integral-part)? space",
        ["integer"] = "(\"-\"? integral-part) space",
        ["value"] = "object | array | string | number | boolean | null",
        ["object"] = "\"{\" space ( string \":\" space value (\",\" space string \":\" space value)* )? \"}\" space",
        ["array"] = "\"[\" space ( value (\",\" space value)* )? \"]\" space",
        ["date"] = "[0-9]{4} \"-\" ( ( \"0\" [13578] | \"1\" [02] ) \"-\" ( \"0\" [1-9] | [12] [0-9] | \"3\" [01] ) | ( \"0\" [469] | \"11\" ) \"-\" ( \"0\" [1-9] | [12] [0-9] | \"30\" ) | \"02\" \"-\" ( \"0\" [1-9] | \"1\" [0-9] | \"2\" [0-8] ) )",
        ["time"] = "([01] [0-9] | \"2\" [0-3]) \":\" [0-5] [0-9] \":\" [0-5] [0-9] ( \".\" [0-9]{3} )? ( \"Z\" | ( \"+\" | \"-\" ) ( [01] [0-9] | \"2\" [0-3] ) \":\" [0-5] [0-9] )",
        ["date-time"] = "date \"T\" time",
        ["uuid"] = "[0-9a-fA-F]{8} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{12}",
        ["email"] = "[a-zA-Z0-9]{1,16} ( \".\" [a-zA-Z0-9]{1,16} )? \"@\" [a-z0-9]{1,16} ( \"-\" [a-z0-9]{1,8} )? \".\" [a-z]{2,6}",
    };

    private static readonly Dictionary<string, string[]> PrimitiveDependencies = new()
    {
        ["string"] = ["char", "space"], ["boolean"] = ["space"], ["null"] = ["space"],
        ["number"] = ["integral-part", "decimal-part", "space"], ["integer"] = ["integral-part", "space"],
        ["value"] = ["object", "array", "string", "number", "boolean", "null"],
        ["object"] = ["string", "value", "space"], ["array"] = ["value", "space"], ["date-time"] = ["date", "time"],
    };

    private readonly JsonElement _root;
    private readonly List<string> _order = [];                 // rule names in the order written
    private readonly Dictionary<string, string?> _rules = [];  // name → body (null while being built)
    private readonly Dictionary<string, string> _refs = [];    // "$ref" target → rule name
    private readonly string _rootName;
    private readonly HashSet<string> _reserved;  // names the caller's own rules use
    private int _depth;

    public JsonSchemaCompiler(JsonElement schema) : this(schema, "root", []) { }

    /// <summary>
    /// A compiler whose top rule is <paramref name="rootName"/> and whose generated rules avoid
    /// <paramref name="reservedNames"/>, so its output can be embedded in a larger grammar (a tool call's arguments).
    /// </summary>
    public JsonSchemaCompiler(JsonElement schema, string rootName, IEnumerable<string> reservedNames)
    {
        _root = schema;
        _rootName = rootName;
        _reserved = [.. reservedNames];
    }

    public string Compile()
    {
        string root = Reserve(_rootName);
        _rules[root] = Visit(_root, "", _rootName);
        Primitive("space"); // every value ends with it
        var sb = new StringBuilder();
        foreach (string name in _order)
            sb.Append(name).Append(" ::= ").Append(_rules[name]).Append('\n');
        return sb.ToString();
    }

    private static GrammarException Unsupported(string message, string keyword, string path) => new(message, keyword, path + "/" + keyword);

    /// <summary>A GBNF expression (ending in <c>space</c>) for the values <paramref name="schema"/> accepts.</summary>
    private string Visit(JsonElement schema, string path, string hint)
    {
        if (++_depth > JsonSchemaGrammar.MaxSchemaDepth)
            throw new GrammarException($"The schema nests more than {JsonSchemaGrammar.MaxSchemaDepth} levels deep.", "$ref", path);
        try
        {
            return VisitSchema(schema, path, hint);
        }
        finally
        {
            _depth--;
        }
    }

    private string VisitSchema(JsonElement schema, string path, string hint)
    {
        if (schema.ValueKind == JsonValueKind.True) return Primitive("value");
        if (schema.ValueKind == JsonValueKind.False)
            throw new GrammarException("The schema 'false' accepts no value.", "false", path);
        if (schema.ValueKind != JsonValueKind.Object)
            throw new GrammarException($"A schema must be an object or a boolean, not {schema.ValueKind}.", "(schema)", path);

        var keys = new HashSet<string>();
        foreach (JsonProperty p in schema.EnumerateObject())
        {
            if (!Annotations.Contains(p.Name) && !Combinators.Contains(p.Name) && !ObjectKeywords.Contains(p.Name)
                && !ArrayKeywords.Contains(p.Name) && !StringKeywords.Contains(p.Name) && !NumberKeywords.Contains(p.Name))
                throw Unsupported($"The JSON Schema keyword '{p.Name}' is not supported (it would change which values are valid); remove it or express it with supported keywords.", p.Name, path);
            if (!Annotations.Contains(p.Name)) keys.Add(p.Name);
        }

        if (keys.Contains("$ref"))
        {
            if (keys.Count > 1) throw Unsupported($"'$ref' next to other keywords ({string.Join(", ", keys.Where(k => k != "$ref"))}) is not supported.", "$ref", path);
            return Ref(schema.GetProperty("$ref"), path);
        }
        if (keys.Contains("const")) return Enum(schema, keys, "const", path);
        if (keys.Contains("enum")) return Enum(schema, keys, "enum", path);
        foreach (string combinator in (string[])["anyOf", "oneOf"])
        {
            if (!keys.Contains(combinator)) continue;
            if (keys.Count > 1) throw Unsupported($"'{combinator}' next to other keywords ({string.Join(", ", keys.Where(k => k != combinator))}) is not supported; move them into each branch.", combinator, path);
            return Alternatives(schema.GetProperty(combinator), path + "/" + combinator, hint, combinator);
        }
        if (keys.Contains("allOf")) return AllOf(schema, path, hint);

        if (schema.TryGetProperty("type", out JsonElement type))
        {
            if (type.ValueKind == JsonValueKind.String) return VisitType(type.GetString()!, schema, keys, path, hint);
            if (type.ValueKind != JsonValueKind.Array || type.GetArrayLength() == 0)
                throw Unsupported("'type' must be a type name or a non-empty array of them.", "type", path);
            var alternatives = type.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.String
                ? VisitType(t.GetString()!, schema, keys, path, hint + "-" + t.GetString())
                : throw Unsupported("'type' must be a type name or a non-empty array of them.", "type", path));
            return "(" + string.Join(" | ", alternatives) + ")";
        }
        return VisitType(InferType(keys, path), schema, keys, path, hint);
    }

    /// <summary>The type a schema without 'type' constrains, from its keywords (values of other types are valid too; we produce only these).</summary>
    private static string InferType(HashSet<string> keys, string path)
    {
        var families = new List<string>();
        if (keys.Overlaps(ObjectKeywords)) families.Add("object");
        if (keys.Overlaps(ArrayKeywords)) families.Add("array");
        if (keys.Overlaps(StringKeywords)) families.Add("string");
        if (keys.Overlaps(NumberKeywords)) families.Add("number");
        if (families.Count > 1)
            throw Unsupported($"A schema without 'type' mixes keywords of {string.Join(" and ", families)}; add 'type'.", "type", path);
        return families.Count == 1 ? families[0] : "any";
    }

    private string VisitType(string type, JsonElement schema, HashSet<string> keys, string path, string hint) => type switch
    {
        "any" => Primitive("value"),
        "null" => Primitive("null"),
        "boolean" => Primitive("boolean"),
        "string" => VisitString(schema, keys, path),
        "integer" => VisitInteger(schema, path),
        "number" => keys.FirstOrDefault(NumberKeywords.Contains) is { } k
            ? throw Unsupported($"'{k}' is supported for integers only, not for type 'number'.", k, path)
            : Primitive("number"),
        "object" => VisitObject(schema, path, hint),
        "array" => VisitArray(schema, path, hint),
        _ => throw Unsupported($"Unknown type '{type}'; expected object, array, string, number, integer, boolean or null.", "type", path),
    };

    private string Alternatives(JsonElement branches, string path, string hint, string keyword)
    {
        if (branches.ValueKind != JsonValueKind.Array || branches.GetArrayLength() == 0)
            throw new GrammarException($"'{keyword}' must be a non-empty array of schemas.", keyword, path);
        var alternatives = branches.EnumerateArray().Select((b, i) => Visit(b, $"{path}/{i}", $"{hint}-{i}"));
        return "(" + string.Join(" | ", alternatives) + ")";
    }

    /// <summary>The values of 'enum' (or the one of 'const') that also satisfy the keywords next to it.</summary>
    private static string Enum(JsonElement schema, HashSet<string> keys, string keyword, string path)
    {
        JsonElement values = schema.GetProperty(keyword);
        if (keyword == "enum" && (values.ValueKind != JsonValueKind.Array || values.GetArrayLength() == 0))
            throw Unsupported("'enum' must be a non-empty array.", "enum", path);
        IEnumerable<JsonElement> candidates = keyword == "enum" ? values.EnumerateArray() : [values];
        var kept = candidates.Where(v => EnumValueFilter.Satisfies(v, schema, keys, keyword, path)).ToList();
        if (kept.Count == 0)
            throw Unsupported($"No value of '{keyword}' satisfies the keywords next to it.", keyword, path);
        return "(" + string.Join(" | ", kept.Select(Literal)) + ") space";
    }

    /// <summary>A JSON value's compact text as a GBNF literal.</summary>
    private static string Literal(JsonElement value) => GbnfText.Literal(CompactJson(value));

    internal static string CompactJson(JsonElement value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, CompactWriter))
            value.WriteTo(writer);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private string Ref(JsonElement reference, string path)
    {
        string target = reference.ValueKind == JsonValueKind.String ? reference.GetString()! : "";
        if (_refs.TryGetValue(target, out string? name)) return name;
        if (!target.StartsWith('#'))
            throw new GrammarException($"Only local references ('#/$defs/…') are supported, not '{target}'.", "$ref", path + "/$ref");
        JsonElement resolved = _root;
        string pointer = Uri.UnescapeDataString(target[1..]);
        if (pointer.Length > 0 && pointer[0] != '/')
            throw new GrammarException($"'{target}' is not a JSON pointer ('#/…'); anchors are not supported.", "$ref", path + "/$ref");
        foreach (string raw in pointer.Split('/').Skip(1))
        {
            string segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            bool found = resolved.ValueKind switch
            {
                JsonValueKind.Object => resolved.TryGetProperty(segment, out resolved),
                JsonValueKind.Array => int.TryParse(segment, out int i) && i >= 0 && i < resolved.GetArrayLength() && (resolved = resolved[i]).ValueKind != JsonValueKind.Undefined,
                _ => false,
            };
            if (!found) throw new GrammarException($"The reference '{target}' points to nothing in the schema.", "$ref", path + "/$ref");
        }
        name = Reserve("ref-" + pointer.Split('/')[^1]);
        _refs[target] = name;
        _rules[name] = Visit(resolved, pointer, name);
        return name;
    }

    private string Primitive(string name)
    {
        if (_rules.ContainsKey(name)) return name;
        _order.Add(name);
        _rules[name] = PrimitiveBodies[name];
        foreach (string dependency in PrimitiveDependencies.GetValueOrDefault(name, []))
            Primitive(dependency);
        return name;
    }

    /// <summary>A fresh rule name from <paramref name="hint"/> (GBNF names are [a-zA-Z0-9-_]).</summary>
    private string Reserve(string hint)
    {
        var sb = new StringBuilder();
        foreach (char c in hint)
            sb.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        string stem = sb.Length == 0 ? "r" : sb.ToString(), name = stem;
        for (int i = 1; _rules.ContainsKey(name) || PrimitiveBodies.ContainsKey(name) || _reserved.Contains(name); i++) name = $"{stem}-{i}";
        _rules[name] = null;
        _order.Add(name);
        return name;
    }

    /// <summary>A named rule for <paramref name="body"/>.</summary>
    private string Rule(string hint, string body)
    {
        string name = Reserve(hint);
        _rules[name] = body;
        return name;
    }
}
