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
            Grammar = RequestReader.String(body, "grammar") is { } gbnf ? ParseGrammar(gbnf) : null,
            ReuseCachedPrefix = true,
        };
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
