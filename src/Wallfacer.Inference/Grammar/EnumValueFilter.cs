using System.Text.Json;
using System.Text.RegularExpressions;

namespace Wallfacer.Inference.Grammar;

/// <summary>
/// Checks an <c>enum</c>/<c>const</c> value against the simple keywords beside it (type, string lengths and pattern,
/// numeric bounds), so the grammar offers only values that are valid; any other sibling keyword is an error.
/// </summary>
internal static class EnumValueFilter
{
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(100);

    public static bool Satisfies(JsonElement value, JsonElement schema, HashSet<string> keys, string keyword, string path)
    {
        foreach (string k in keys)
        {
            if (k == keyword || (k is "enum" or "const")) continue;
            bool ok = k switch
            {
                "type" => TypeMatches(value, schema.GetProperty("type")),
                "minLength" or "maxLength" => value.ValueKind != JsonValueKind.String || Length(value, schema, k),
                "pattern" => value.ValueKind != JsonValueKind.String || PatternMatches(value.GetString()!, schema.GetProperty("pattern"), path),
                "minimum" or "maximum" or "exclusiveMinimum" or "exclusiveMaximum" => value.ValueKind != JsonValueKind.Number || Bound(value.GetDecimal(), schema.GetProperty(k), k),
                _ => throw new GrammarException($"'{keyword}' next to '{k}' is not supported; list only the values that satisfy '{k}'.", k, path + "/" + k),
            };
            if (!ok) return false;
        }
        return true;
    }

    private static bool TypeMatches(JsonElement value, JsonElement type)
    {
        IEnumerable<JsonElement> types = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray() : [type];
        return types.Any(t => (t.ValueKind == JsonValueKind.String ? t.GetString() : null) switch
        {
            "object" => value.ValueKind == JsonValueKind.Object,
            "array" => value.ValueKind == JsonValueKind.Array,
            "string" => value.ValueKind == JsonValueKind.String,
            "number" => value.ValueKind == JsonValueKind.Number,
            "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out decimal d) && d == decimal.Truncate(d),
            "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            "null" => value.ValueKind == JsonValueKind.Null,
            _ => false,
        });
    }

    private static bool Length(JsonElement value, JsonElement schema, string keyword)
    {
        int length = value.GetString()!.EnumerateRunes().Count();
        decimal bound = schema.GetProperty(keyword).GetDecimal();
        return keyword == "minLength" ? length >= bound : length <= bound;
    }

    private static bool PatternMatches(string text, JsonElement pattern, string path)
    {
        try
        {
            return Regex.IsMatch(text, pattern.GetString() ?? "", RegexOptions.None, PatternTimeout);
        }
        catch (Exception e) when (e is ArgumentException or RegexMatchTimeoutException)
        {
            throw new GrammarException($"The pattern could not be checked against the enum values: {e.Message}", "pattern", path + "/pattern");
        }
    }

    private static bool Bound(decimal x, JsonElement bound, string keyword)
    {
        decimal b = bound.GetDecimal();
        return keyword switch
        {
            "minimum" => x >= b,
            "maximum" => x <= b,
            "exclusiveMinimum" => x > b,
            _ => x < b,
        };
    }
}
