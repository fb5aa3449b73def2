using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Wallfacer.Inference.Templates;

/// <summary>JSON variables as Python sees them after <c>json.loads</c>: object → dict (order kept),
/// array → list, integer → int, other numbers → float, null → None.</summary>
internal static class JsonValues
{
    public static object? ToPython(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => ToDict(obj),
        JsonArray array => new PyList(array.Select(ToPython).ToList()),
        JsonValue value => Scalar(value),
        _ => throw new ArgumentException("unsupported JSON node " + node.GetType().Name),
    };

    public static PyDict ToDict(JsonObject obj)
    {
        var dict = new PyDict();
        foreach (var pair in obj)
            dict.Set(pair.Key, ToPython(pair.Value));
        return dict;
    }

    private static object? Scalar(JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String: return value.GetValue<string>();
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.Null or JsonValueKind.Undefined: return null;
            case JsonValueKind.Number: return Number(value);
            default: throw new ArgumentException("unsupported JSON value " + value.ToJsonString());
        }
    }

    /// <summary>Python's <c>json.loads</c> rule: a number written without fraction or exponent is an int.</summary>
    private static object Number(JsonValue value)
    {
        string raw = value.ToJsonString();
        bool integral = raw.IndexOfAny(['.', 'e', 'E']) < 0;
        if (integral && long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
            return l;
        return double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
    }
}
