using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Wallfacer.Inference.Grammar;

/// <summary>Strings, integers, objects, arrays and <c>allOf</c>.</summary>
internal sealed partial class JsonSchemaCompiler
{
    private const string Quote = "\"\\\"\""; // the GBNF literal for one '"'

    private string VisitString(JsonElement schema, HashSet<string> keys, string path)
    {
        if (keys.Contains("pattern"))
        {
            if (keys.FirstOrDefault(k => k is "minLength" or "maxLength" or "format") is { } other)
                throw Unsupported($"'pattern' together with '{other}' is not supported; fold the length or format into the pattern.", other, path);
            JsonElement pattern = schema.GetProperty("pattern");
            if (pattern.ValueKind != JsonValueKind.String) throw Unsupported("'pattern' must be a string.", "pattern", path);
            string expression;
            try
            {
                expression = new RegexTranslator(pattern.GetString()!, Primitive("char")).Translate();
            }
            catch (GrammarException e)
            {
                throw new GrammarException(e.Message, "pattern", path + "/pattern");
            }
            return $"{Quote} {expression} {Quote} space";
        }
        if (keys.Contains("format"))
        {
            if (keys.FirstOrDefault(k => k is "minLength" or "maxLength") is { } other)
                throw Unsupported($"'format' together with '{other}' is not supported.", other, path);
            string? format = schema.GetProperty("format").ValueKind == JsonValueKind.String ? schema.GetProperty("format").GetString() : null;
            if (format is not ("date" or "time" or "date-time" or "uuid" or "email"))
                throw Unsupported($"The string format '{format}' is not supported (date, time, date-time, uuid, email are).", "format", path);
            Primitive("space");
            return $"{Quote} {Primitive(format)} {Quote} space";
        }
        int min = NonNegative(schema, "minLength", path) ?? 0;
        int? max = NonNegative(schema, "maxLength", path);
        if (max < min) throw Unsupported($"'maxLength' {max} is below 'minLength' {min}.", "maxLength", path);
        Primitive("char");
        Primitive("space");
        string repeat = (min, max) switch { (0, null) => "*", (_, null) => $"{{{min},}}", _ when min == max => $"{{{min}}}", _ => $"{{{min},{max}}}" };
        return $"{Quote} char{repeat} {Quote} space";
    }

    /// <summary>A non-negative integer keyword within the repetition limit, or null when absent.</summary>
    private static int? NonNegative(JsonElement schema, string keyword, string path)
    {
        if (!schema.TryGetProperty(keyword, out JsonElement value)) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out decimal d) || d < 0 || d != decimal.Truncate(d))
            throw Unsupported($"'{keyword}' must be a non-negative integer.", keyword, path);
        if (d > GbnfGrammar.MaxRepetition)
            throw Unsupported($"'{keyword}' {d} is above the grammar's repetition limit {GbnfGrammar.MaxRepetition}.", keyword, path);
        return (int)d;
    }

    private string VisitInteger(JsonElement schema, string path)
    {
        decimal? min = Bound(schema, "minimum", path), max = Bound(schema, "maximum", path);
        if (Bound(schema, "exclusiveMinimum", path) is { } xmin) min = Math.Max(min ?? decimal.MinValue, decimal.Floor(xmin) + 1);
        if (Bound(schema, "exclusiveMaximum", path) is { } xmax) max = Math.Min(max ?? decimal.MaxValue, decimal.Ceiling(xmax) - 1);
        long? lo = min is { } a ? (long)decimal.Ceiling(a) : null;
        long? hi = max is { } b ? (long)decimal.Floor(b) : null;
        if (lo > hi) throw Unsupported($"No integer lies between the minimum {min} and the maximum {max}.", "maximum", path);
        Primitive("space");
        return "(" + IntegerRange.Expression(lo, hi) + ") space";
    }

    private static decimal? Bound(JsonElement schema, string keyword, string path)
    {
        if (!schema.TryGetProperty(keyword, out JsonElement value)) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out decimal d))
            throw Unsupported($"'{keyword}' must be a number (the draft-4 boolean form is not supported).", keyword, path);
        if (Math.Abs(d) > IntegerRange.Limit)
            throw Unsupported($"'{keyword}' {d.ToString(CultureInfo.InvariantCulture)} is beyond ±{IntegerRange.Limit}.", keyword, path);
        return d;
    }

    private string VisitObject(JsonElement schema, string path, string hint)
    {
        var names = new List<string>();
        var valueRules = new List<string>();
        if (schema.TryGetProperty("properties", out JsonElement properties))
        {
            if (properties.ValueKind != JsonValueKind.Object) throw Unsupported("'properties' must be an object.", "properties", path);
            foreach (JsonProperty p in properties.EnumerateObject())
            {
                names.Add(p.Name);
                valueRules.Add(Visit(p.Value, $"{path}/properties/{Escape(p.Name)}", $"{hint}-{p.Name}"));
            }
        }
        var required = new HashSet<string>();
        if (schema.TryGetProperty("required", out JsonElement req))
        {
            if (req.ValueKind != JsonValueKind.Array || req.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String))
                throw Unsupported("'required' must be an array of property names.", "required", path);
            foreach (JsonElement r in req.EnumerateArray())
            {
                string name = r.GetString()!;
                required.Add(name);
                if (!names.Contains(name)) { names.Add(name); valueRules.Add(Primitive("value")); }
            }
        }

        // Undeclared properties: only when additionalProperties asks for them (llama.cpp's choice), or when nothing is declared.
        string? additionalValue = null;
        if (schema.TryGetProperty("additionalProperties", out JsonElement additional))
        {
            if (additional.ValueKind != JsonValueKind.False)
                additionalValue = Visit(additional, path + "/additionalProperties", hint + "-additional");
        }
        else if (names.Count == 0)
        {
            return Primitive("object");
        }

        Primitive("space");
        var kvs = new List<string>();
        for (int i = 0; i < names.Count; i++)
            kvs.Add(Rule($"{hint}-{names[i]}-kv", $"{GbnfText.Literal(JsonQuote(names[i]))} space \":\" space {valueRules[i]}"));
        string? additionalKv = additionalValue is null ? null
            : Rule(hint + "-additional-kv", $"{Quote} {KeyNotIn(names, hint)} space \":\" space {additionalValue}");
        bool[] isRequired = [.. names.Select(required.Contains)];
        var chain = new Dictionary<(int, bool), string>();
        string body = $"\"{{\" space {PropertyChain(0, false)} \"}}\" space";
        return Rule(hint, body);

        // The properties from the i-th on, in declared order, given whether one was written (then a comma comes first).
        string PropertyChain(int i, bool started)
        {
            if (chain.TryGetValue((i, started), out string? rule)) return rule;
            string expression;
            if (i == names.Count)
            {
                expression = additionalKv is null ? "\"\""
                    : started ? $"( \",\" space {additionalKv} )*" : $"( {additionalKv} ( \",\" space {additionalKv} )* )?";
            }
            else
            {
                string take = (started ? "\",\" space " : "") + kvs[i] + " " + PropertyChain(i + 1, true);
                expression = isRequired[i] ? take : $"{take} | {PropertyChain(i + 1, started)}";
            }
            return chain[(i, started)] = Rule($"{hint}-after-{i}{(started ? "-c" : "")}", expression);
        }
    }

    private static string Escape(string pointerSegment) => pointerSegment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static string JsonQuote(string name) => CompactJson(JsonSerializer.SerializeToElement(name));

    /// <summary>
    /// The rest of a JSON key after its opening quote, up to and including the closing quote, such that the key is none of
    /// <paramref name="names"/>: a trie of the names, where leaving the trie frees the rest. Keys use no escapes (so
    /// "\u0061" cannot spell a declared "a").
    /// </summary>
    private string KeyNotIn(List<string> names, string hint)
    {
        const string keyChar = "[^\"\\\\\\x7F\\x00-\\x1F]";
        string free = Rule(hint + "-key-char", keyChar);
        return Node("");

        string Node(string prefix)
        {
            var next = names.Where(n => n.Length > prefix.Length && n.StartsWith(prefix, StringComparison.Ordinal))
                .Select(n => char.ConvertToUtf32(n, prefix.Length)).Distinct().Order().ToList();
            var alternatives = new List<string>();
            foreach (int c in next)
                alternatives.Add(GbnfText.Literal(char.ConvertFromUtf32(c)) + " " + Node(prefix + char.ConvertFromUtf32(c)));
            var excluded = next.Select(c => (c, c)).Concat([(0, 0x1F), ('"', '"'), ('\\', '\\'), (0x7F, 0x7F)]);
            alternatives.Add($"{GbnfText.Class(RegexTranslator.Normalize(excluded), negated: true)} {free}* {Quote}");
            if (!names.Contains(prefix)) alternatives.Add(Quote);
            return Rule(hint + "-key", string.Join(" | ", alternatives));
        }
    }

    private string VisitArray(JsonElement schema, string path, string hint)
    {
        int min = NonNegative(schema, "minItems", path) ?? 0;
        int? max = NonNegative(schema, "maxItems", path);
        if (max < min) throw Unsupported($"'maxItems' {max} is below 'minItems' {min}.", "maxItems", path);

        JsonElement items = default;
        bool hasItems = schema.TryGetProperty("items", out items);
        var prefix = new List<string>();
        JsonElement prefixItems = default;
        string prefixKeyword = schema.TryGetProperty("prefixItems", out prefixItems) ? "prefixItems" : hasItems && items.ValueKind == JsonValueKind.Array ? "items" : "";
        if (prefixKeyword == "items") { prefixItems = items; hasItems = false; }
        if (prefixKeyword.Length > 0)
        {
            if (prefixItems.ValueKind != JsonValueKind.Array) throw Unsupported($"'{prefixKeyword}' must be an array of schemas.", prefixKeyword, path);
            int i = 0;
            foreach (JsonElement p in prefixItems.EnumerateArray())
            {
                if (max is { } m && prefix.Count >= m) break; // a shorter tuple is valid too
                prefix.Add(Visit(p, $"{path}/{prefixKeyword}/{i}", $"{hint}-{i}"));
                i++;
            }
        }

        // Items after the prefix: (lo, hi) more of the item schema.
        int lo = Math.Max(0, min - prefix.Count);
        int? hi = max - prefix.Count;
        string? item = null;
        bool itemsForbidden = hasItems && items.ValueKind == JsonValueKind.False;
        if (hasItems && !itemsForbidden) item = Visit(items, path + "/items", hint + "-item");
        else if (!hasItems && (prefix.Count == 0 || lo > 0)) item = Primitive("value");
        if (item is null || hi == 0) { hi = 0; if (lo > 0) throw Unsupported($"'minItems' {min} needs more items than 'items' allows.", "minItems", path); }

        Primitive("space");
        var parts = new List<string>();
        for (int i = 0; i < prefix.Count; i++) parts.Add((i == 0 ? "" : "\",\" space ") + prefix[i]);
        if (item is not null && hi != 0)
        {
            string more = hi is { } h ? (lo == h ? $"{{{lo}}}" : $"{{{lo},{h}}}") : lo == 0 ? "*" : $"{{{lo},}}";
            if (prefix.Count > 0)
                parts.Add($"( \",\" space {item} ){more}");
            else if (lo == 0)
                parts.Add($"( {item} ( \",\" space {item} ){(hi is { } h1 ? $"{{0,{h1 - 1}}}" : "*")} )?");
            else
                parts.Add($"{item} ( \",\" space {item} ){(hi is { } h2 ? $"{{{lo - 1},{h2 - 1}}}" : $"{{{lo - 1},}}")}");
        }
        return Rule(hint, $"\"[\" space {string.Join(" ", parts)} \"]\" space");
    }

    /// <summary><c>allOf</c> of object schemas (and the schema's own object keywords) merged into one object schema.</summary>
    private string AllOf(JsonElement schema, string path, string hint)
    {
        JsonElement all = schema.GetProperty("allOf");
        if (all.ValueKind != JsonValueKind.Array || all.GetArrayLength() == 0)
            throw Unsupported("'allOf' must be a non-empty array of schemas.", "allOf", path);
        var parts = new List<(JsonElement Schema, string Path)> { (schema, path) };
        int index = 0;
        foreach (JsonElement part in all.EnumerateArray())
        {
            parts.Add((ResolveRefs(part, $"{path}/allOf/{index}", out string partPath), partPath));
            index++;
        }

        var properties = new JsonObject();
        var required = new JsonArray();
        for (int k = 0; k < parts.Count; k++)
        {
            var (part, partPath) = parts[k];
            if (part.ValueKind != JsonValueKind.Object)
                throw Unsupported("'allOf' is supported for object schemas only.", "allOf", path);
            foreach (JsonProperty p in part.EnumerateObject())
            {
                if (Annotations.Contains(p.Name) || (p.Name == "allOf" && k == 0)) continue;
                switch (p.Name)
                {
                    case "type" when p.Value.ValueKind == JsonValueKind.String && p.Value.GetString() == "object":
                        break;
                    case "properties" when p.Value.ValueKind == JsonValueKind.Object:
                        foreach (JsonProperty prop in p.Value.EnumerateObject())
                        {
                            if (properties.ContainsKey(prop.Name))
                                throw Unsupported($"'allOf' declares property '{prop.Name}' twice; merging its schemas is not supported.", "allOf", path);
                            properties[prop.Name] = JsonNode.Parse(prop.Value.GetRawText());
                        }
                        break;
                    case "required" when p.Value.ValueKind == JsonValueKind.Array:
                        foreach (JsonElement r in p.Value.EnumerateArray()) required.Add(JsonNode.Parse(r.GetRawText()));
                        break;
                    default:
                        throw Unsupported($"'allOf' is supported for object schemas with 'properties' and 'required' only, not '{p.Name}'.", p.Name, partPath);
                }
            }
        }
        // Nested "$ref"s in the merged properties still resolve against the root document, so paths stay meaningful.
        var merged = new JsonObject { ["type"] = "object", ["properties"] = properties, ["required"] = required };
        return Visit(JsonSerializer.SerializeToElement(merged), path, hint);
    }

    private JsonElement ResolveRefs(JsonElement schema, string path, out string resolvedPath)
    {
        resolvedPath = path;
        for (int hops = 0; schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out JsonElement r); hops++)
        {
            if (hops > JsonSchemaGrammar.MaxSchemaDepth) throw new GrammarException("A '$ref' chain does not end.", "$ref", path);
            string target = r.GetString() ?? "";
            if (!target.StartsWith("#/", StringComparison.Ordinal))
                throw new GrammarException($"Only local references ('#/$defs/…') are supported, not '{target}'.", "$ref", path + "/$ref");
            JsonElement resolved = _root;
            foreach (string raw in Uri.UnescapeDataString(target[1..]).Split('/').Skip(1))
            {
                string segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
                if (resolved.ValueKind != JsonValueKind.Object || !resolved.TryGetProperty(segment, out resolved))
                    throw new GrammarException($"The reference '{target}' points to nothing in the schema.", "$ref", path + "/$ref");
            }
            schema = resolved;
            resolvedPath = target[1..];
        }
        return schema;
    }
}
