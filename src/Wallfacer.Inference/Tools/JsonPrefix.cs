using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Wallfacer.Inference.Tools;

/// <summary>Reads one JSON value at the start of a text that may go on after it (a call followed by a closing tag).</summary>
internal static class JsonPrefix
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 64 };

    /// <summary>The value at the start of <paramref name="text"/> (after whitespace) and the text after it; false when none parses.</summary>
    public static bool TryRead(string text, out JsonNode? value, out string rest)
    {
        value = null;
        rest = text;
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        try
        {
            var reader = new Utf8JsonReader(bytes, isFinalBlock: false, new JsonReaderState(Options));
            if (!reader.Read() || !reader.TrySkip())
                return false;
            int end = (int)reader.BytesConsumed;
            value = JsonNode.Parse(bytes.AsSpan(0, end));
            rest = Encoding.UTF8.GetString(bytes, end, bytes.Length - end);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>A call's arguments as compact JSON object text ("{}" when absent); null when they are not an object.</summary>
    public static string? ArgumentsText(JsonNode? arguments) => arguments switch
    {
        null => "{}",
        JsonObject o => o.ToJsonString(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String && TryObject((string)v!, out var o) => o,
        _ => null,
    };

    private static bool TryObject(string text, out string compact)
    {
        compact = "";
        try
        {
            if (JsonNode.Parse(text) is not JsonObject o)
                return false;
            compact = o.ToJsonString();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
