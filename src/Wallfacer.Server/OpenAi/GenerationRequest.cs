using System.Text.Json;
using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Sampling;

namespace Wallfacer.Server.OpenAi;

/// <summary>The sampling and length fields shared by chat completions and completions, read and validated once.</summary>
internal static class GenerationRequest
{
    public static GenerationOptions Options(JsonElement body, int promptTokens, ServedModel served)
    {
        var defaults = new SamplerOptions();
        var sampling = new SamplerOptions
        {
            // Unset fields keep llama.cpp's defaults, as llama-server does (small models need the truncation).
            Temperature = (float)(RequestReader.Number(body, "temperature", 0, 2) ?? defaults.Temperature),
            TopP = (float)(RequestReader.Number(body, "top_p", 0, 1) is double p && p > 0 ? p : defaults.TopP),
            TopK = (int)(RequestReader.Integer(body, "top_k", 0, 1_000_000) ?? defaults.TopK),
            MinP = (float)(RequestReader.Number(body, "min_p", 0, 1) ?? defaults.MinP),
            FrequencyPenalty = (float)(RequestReader.Number(body, "frequency_penalty", -2, 2) ?? 0),
            PresencePenalty = (float)(RequestReader.Number(body, "presence_penalty", -2, 2) ?? 0),
            RepetitionPenalty = (float)(RequestReader.Number(body, "repeat_penalty", 0.01, 10) ?? defaults.RepetitionPenalty),
            Seed = RequestReader.Integer(body, "seed") is long seed ? unchecked((ulong)seed) : null,
        };
        int room = served.Scheduler.ContextLength - promptTokens;
        long asked = RequestReader.Integer(body, "max_completion_tokens", 1, int.MaxValue)
                     ?? RequestReader.Integer(body, "max_tokens", 1, int.MaxValue)
                     ?? room;
        int topLogprobs = RequestReader.Boolean(body, "logprobs") == true
            ? (int)(RequestReader.Integer(body, "top_logprobs", 0, 20) ?? 0)
            : 0;
        return new GenerationOptions
        {
            MaxTokens = (int)Math.Min(Math.Min(asked, room), served.Options.MaxTokensCap),
            Sampling = sampling,
            StopStrings = RequestReader.Stops(body),
            TopLogprobs = topLogprobs,
            IgnoreEndOfGeneration = RequestReader.Boolean(body, "ignore_eos") == true, // llama-server's extension
            Grammar = Grammar(body),
            ReuseCachedPrefix = true,
        };
    }

    /// <summary>llama-server's <c>grammar</c> (GBNF) or OpenAI's <c>response_format</c> (json_object / json_schema), enforced while sampling.</summary>
    private static Inference.Grammar.GbnfGrammar? Grammar(JsonElement body)
    {
        string? gbnf = RequestReader.String(body, "grammar");
        if (!RequestReader.Has(body, "response_format"))
            return gbnf is null ? null : ParseGrammar(gbnf);
        var format = body.GetProperty("response_format");
        if (format.ValueKind != JsonValueKind.Object)
            throw OpenAiError.BadRequest("response_format must be an object.", "response_format");
        string? type = RequestReader.String(format, "type");
        if (type is "json_object" or "json_schema" && gbnf is not null)
            throw OpenAiError.BadRequest("Give grammar or a JSON response_format, not both.", "response_format");
        try
        {
            return type switch
            {
                "text" or null => gbnf is null ? null : ParseGrammar(gbnf),
                "json_object" => Inference.Grammar.JsonSchemaGrammar.AnyJsonObject,
                "json_schema" when format.TryGetProperty("json_schema", out var js) && js.ValueKind == JsonValueKind.Object
                                   && js.TryGetProperty("schema", out var schema) => Inference.Grammar.JsonSchemaGrammar.Compile(schema),
                "json_schema" => throw OpenAiError.BadRequest("response_format.json_schema.schema is required.", "response_format"),
                _ => throw OpenAiError.BadRequest($"response_format.type '{type}' is not one of text, json_object, json_schema.", "response_format"),
            };
        }
        catch (Inference.Grammar.GrammarException ex)
        {
            throw OpenAiError.BadRequest("response_format: " + ex.Message, "response_format");
        }
    }

    private static Inference.Grammar.GbnfGrammar ParseGrammar(string text)
    {
        try
        {
            return Inference.Grammar.GbnfGrammar.Parse(text);
        }
        catch (Inference.Grammar.GrammarException ex)
        {
            throw OpenAiError.BadRequest("grammar: " + ex.Message, "grammar");
        }
    }

    /// <summary>The model named in the request must be the one served (or omitted).</summary>
    public static void CheckModel(JsonElement body, ServedModel served)
    {
        if (RequestReader.String(body, "model") is { } model && model != served.Id)
            throw new OpenAiError(404, $"The model '{model}' does not exist; this server runs '{served.Id}'.", "invalid_request_error", "model", "model_not_found");
    }
}
