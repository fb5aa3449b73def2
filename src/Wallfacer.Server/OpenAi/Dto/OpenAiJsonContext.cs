using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Wallfacer.Server.OpenAi.Dto;

/// <summary>
/// The server's response shapes, serialized by source-generated code (no reflection, trimming- and AOT-safe, and
/// faster per streamed chunk). Names follow OpenAI's snake_case. A property is written as <c>null</c> unless it is
/// marked to be left out: OpenAI sends <c>"content": null</c>, <c>"logprobs": null</c> and
/// <c>"finish_reason": null</c>, and some clients check for the keys.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(CompletionResponse))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(EmbeddingList))]
[JsonSerializable(typeof(ErrorResponse))]
internal sealed partial class OpenAiJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The instance the server writes with: text goes out as is (quotes, apostrophes, non-ASCII letters), as
    /// OpenAI sends it; the default encoder's HTML-safe escaping (<c>\u0027</c>) is for JSON embedded in web pages.
    /// </summary>
    public static OpenAiJsonContext Wire { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    });
}
