using System.Text.Json;

namespace Wallfacer.Server.OpenAi;

/// <summary>
/// Reads request fields with OpenAI's leniency and precision: unknown fields are ignored, and a field of the
/// wrong type is a 400 naming it (e.g. "temperature must be a number"). Malformed JSON names the position.
/// </summary>
internal static class RequestReader
{
    public static async Task<JsonDocument> ParseAsync(Stream body, CancellationToken ct)
    {
        try
        {
            return await JsonDocument.ParseAsync(body, new JsonDocumentOptions { MaxDepth = 64 }, ct).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw OpenAiError.BadRequest($"The request body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine}): {ex.Message}");
        }
    }

    public static JsonElement Root(JsonDocument doc) =>
        doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement : throw OpenAiError.BadRequest("The request body must be a JSON object.");

    public static bool Has(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public static string? String(JsonElement obj, string name) =>
        !Has(obj, name) ? null
        : obj.GetProperty(name) is { ValueKind: JsonValueKind.String } v ? v.GetString()
        : throw OpenAiError.BadRequest($"{name} must be a string.", name);

    public static double? Number(JsonElement obj, string name, double min = double.MinValue, double max = double.MaxValue)
    {
        if (!Has(obj, name))
            return null;
        var v = obj.GetProperty(name);
        if (v.ValueKind != JsonValueKind.Number)
            throw OpenAiError.BadRequest($"{name} must be a number.", name);
        double d = v.GetDouble();
        if (d < min || d > max || !double.IsFinite(d))
            throw OpenAiError.BadRequest($"{name} must be between {min} and {max}; got {d}.", name);
        return d;
    }

    public static long? Integer(JsonElement obj, string name, long min = long.MinValue, long max = long.MaxValue)
    {
        if (!Has(obj, name))
            return null;
        var v = obj.GetProperty(name);
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long i))
            throw OpenAiError.BadRequest($"{name} must be an integer.", name);
        if (i < min || i > max)
            throw OpenAiError.BadRequest($"{name} must be between {min} and {max}; got {i}.", name);
        return i;
    }

    public static bool? Boolean(JsonElement obj, string name) =>
        !Has(obj, name) ? null
        : obj.GetProperty(name).ValueKind is JsonValueKind.True or JsonValueKind.False ? obj.GetProperty(name).GetBoolean()
        : throw OpenAiError.BadRequest($"{name} must be a boolean.", name);

    /// <summary><c>stop</c>: a string or an array of strings (at most 16).</summary>
    public static string[] Stops(JsonElement obj)
    {
        if (!Has(obj, "stop"))
            return [];
        var v = obj.GetProperty("stop");
        if (v.ValueKind == JsonValueKind.String)
            return [v.GetString()!];
        if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() > 16 || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            throw OpenAiError.BadRequest("stop must be a string or an array of at most 16 strings.", "stop");
        return v.EnumerateArray().Select(e => e.GetString()!).ToArray();
    }
}
