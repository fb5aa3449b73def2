using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Wallfacer.Inference.Tests.Grammar;

/// <summary>
/// A small JSON Schema validator for checking constrained outputs (independent of the grammar compiler): types,
/// properties, required, additionalProperties, enum, const, items/prefixItems/minItems/maxItems, local $ref, anyOf,
/// oneOf, allOf, pattern, minLength/maxLength (code points), minimum/maximum/exclusive*, and the formats date, time,
/// date-time, uuid and email.
/// </summary>
internal static class JsonSchemaValidator
{
    public static List<string> Validate(JsonElement schema, JsonElement instance)
    {
        var errors = new List<string>();
        Check(schema, instance, schema, "", errors);
        return errors;
    }

    private static void Check(JsonElement root, JsonElement instance, JsonElement schema, string at, List<string> errors)
    {
        if (schema.ValueKind == JsonValueKind.True) return;
        if (schema.ValueKind == JsonValueKind.False) { errors.Add($"{at}: false schema"); return; }
        if (schema.TryGetProperty("$ref", out var r)) Check(root, instance, Resolve(root, r.GetString()!), at, errors);
        if (schema.TryGetProperty("type", out var type))
        {
            var types = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!];
            if (!types.Any(t => HasType(instance, t))) errors.Add($"{at}: not of type {string.Join("/", types)}");
        }
        if (schema.TryGetProperty("const", out var c) && !JsonElement.DeepEquals(c, instance)) errors.Add($"{at}: not the const");
        if (schema.TryGetProperty("enum", out var e) && !e.EnumerateArray().Any(v => JsonElement.DeepEquals(v, instance))) errors.Add($"{at}: not in enum");
        if (schema.TryGetProperty("anyOf", out var any) && !any.EnumerateArray().Any(s => Validates(root, s, instance))) errors.Add($"{at}: anyOf");
        if (schema.TryGetProperty("oneOf", out var one) && one.EnumerateArray().Count(s => Validates(root, s, instance)) != 1) errors.Add($"{at}: oneOf");
        if (schema.TryGetProperty("allOf", out var all))
            foreach (var s in all.EnumerateArray()) Check(root, instance, s, at, errors);
        switch (instance.ValueKind)
        {
            case JsonValueKind.Object: CheckObject(root, instance, schema, at, errors); break;
            case JsonValueKind.Array: CheckArray(root, instance, schema, at, errors); break;
            case JsonValueKind.String: CheckString(instance.GetString()!, schema, at, errors); break;
            case JsonValueKind.Number: CheckNumber(instance.GetDouble(), schema, at, errors); break;
        }
    }

    private static bool Validates(JsonElement root, JsonElement schema, JsonElement instance)
    {
        var errors = new List<string>();
        Check(root, instance, schema, "", errors);
        return errors.Count == 0;
    }

    private static JsonElement Resolve(JsonElement root, string reference)
    {
        JsonElement node = root;
        foreach (string segment in reference.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
            node = node.GetProperty(segment.Replace("~1", "/").Replace("~0", "~"));
        return node;
    }

    private static bool HasType(JsonElement v, string type) => type switch
    {
        "object" => v.ValueKind == JsonValueKind.Object,
        "array" => v.ValueKind == JsonValueKind.Array,
        "string" => v.ValueKind == JsonValueKind.String,
        "number" => v.ValueKind == JsonValueKind.Number,
        "integer" => v.ValueKind == JsonValueKind.Number && double.IsInteger(v.GetDouble()),
        "boolean" => v.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => v.ValueKind == JsonValueKind.Null,
        _ => throw new ArgumentException(type),
    };

    private static void CheckObject(JsonElement root, JsonElement instance, JsonElement schema, string at, List<string> errors)
    {
        var names = instance.EnumerateObject().Select(p => p.Name).ToList();
        if (names.Count != names.Distinct().Count()) errors.Add($"{at}: duplicate keys");
        schema.TryGetProperty("properties", out var props);
        if (schema.TryGetProperty("required", out var req))
            foreach (var name in req.EnumerateArray())
                if (!names.Contains(name.GetString()!)) errors.Add($"{at}: missing {name}");
        foreach (var p in instance.EnumerateObject())
        {
            if (props.ValueKind == JsonValueKind.Object && props.TryGetProperty(p.Name, out var sub))
                Check(root, p.Value, sub, $"{at}/{p.Name}", errors);
            else if (schema.TryGetProperty("additionalProperties", out var add))
                Check(root, p.Value, add, $"{at}/{p.Name}", errors);
        }
    }

    private static void CheckArray(JsonElement root, JsonElement instance, JsonElement schema, string at, List<string> errors)
    {
        int n = instance.GetArrayLength(), prefix = 0;
        if (schema.TryGetProperty("minItems", out var min) && n < min.GetInt32()) errors.Add($"{at}: fewer than minItems");
        if (schema.TryGetProperty("maxItems", out var max) && n > max.GetInt32()) errors.Add($"{at}: more than maxItems");
        if (schema.TryGetProperty("prefixItems", out var pre))
        {
            prefix = pre.GetArrayLength();
            for (int i = 0; i < Math.Min(n, prefix); i++) Check(root, instance[i], pre[i], $"{at}/{i}", errors);
        }
        if (schema.TryGetProperty("items", out var items))
            for (int i = prefix; i < n; i++) Check(root, instance[i], items, $"{at}/{i}", errors);
    }

    private static void CheckString(string s, JsonElement schema, string at, List<string> errors)
    {
        int length = s.EnumerateRunes().Count();
        if (schema.TryGetProperty("minLength", out var min) && length < min.GetInt32()) errors.Add($"{at}: shorter than minLength");
        if (schema.TryGetProperty("maxLength", out var max) && length > max.GetInt32()) errors.Add($"{at}: longer than maxLength");
        if (schema.TryGetProperty("pattern", out var pattern) && !Regex.IsMatch(OneUnitPerCodePoint(s), pattern.GetString()!)) errors.Add($"{at}: does not match {pattern}");
        if (schema.TryGetProperty("format", out var format) && !FormatOk(s, format.GetString()!)) errors.Add($"{at}: not a {format}");
    }

    private static bool FormatOk(string s, string format) => format switch
    {
        "date" => DateOk(s),
        "time" => TimeOk(s),
        "date-time" => s.Split('T') is [var d, var t] && DateOk(d) && TimeOk(t),
        "uuid" => Guid.TryParseExact(s, "D", out _),
        "email" => Regex.IsMatch(s, @"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$") && !s.Contains(".."),
        _ => true,
    };

    private static bool DateOk(string s) =>
        Regex.IsMatch(s, @"^\d{4}-\d{2}-\d{2}$") && int.Parse(s[..4], CultureInfo.InvariantCulture) is var y
        && int.Parse(s[5..7], CultureInfo.InvariantCulture) is var m and >= 1 and <= 12
        && int.Parse(s[8..], CultureInfo.InvariantCulture) is var d && d >= 1 && d <= (y == 0 ? (m == 2 ? 29 : DateTime.DaysInMonth(2000, m)) : DateTime.DaysInMonth(y, m));

    private static bool TimeOk(string s) =>
        Regex.IsMatch(s, @"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$");

    private static void CheckNumber(double x, JsonElement schema, string at, List<string> errors)
    {
        if (schema.TryGetProperty("minimum", out var min) && x < min.GetDouble()) errors.Add($"{at}: below minimum");
        if (schema.TryGetProperty("maximum", out var max) && x > max.GetDouble()) errors.Add($"{at}: above maximum");
        if (schema.TryGetProperty("exclusiveMinimum", out var xmin) && x <= xmin.GetDouble()) errors.Add($"{at}: not above exclusiveMinimum");
        if (schema.TryGetProperty("exclusiveMaximum", out var xmax) && x >= xmax.GetDouble()) errors.Add($"{at}: not below exclusiveMaximum");
    }

    /// <summary>
    /// .NET regexes count UTF-16 units, so a character beyond the BMP would be two characters to <c>{1,4}</c>; JSON Schema
    /// patterns count code points (ECMA-262 with the u flag). Each such character becomes one private-use BMP character,
    /// which every class in the corpus treats as it treats the original (none names a supplementary character).
    /// </summary>
    private static string OneUnitPerCodePoint(string s) =>
        string.Concat(s.EnumerateRunes().Select(r => r.IsBmp ? r.ToString() : "\uE000"));
}
