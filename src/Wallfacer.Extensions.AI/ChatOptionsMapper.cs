using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Sampling;

namespace Wallfacer.Extensions.AI;

/// <summary>
/// <see cref="ChatOptions"/> → the engine's generation settings. What the request leaves unset keeps
/// llama.cpp's defaults (<see cref="SamplerOptions"/>). Settings with no <see cref="ChatOptions"/> property
/// travel in <see cref="ChatOptions.AdditionalProperties"/> under llama-server's names: <c>min_p</c>,
/// <c>repeat_penalty</c>, <c>repeat_last_n</c>, and <c>chat_template_kwargs</c> (an object of extra template
/// variables); <c>enable_thinking</c> is also accepted on its own.
/// </summary>
internal static class ChatOptionsMapper
{
    public const string MinP = "min_p";
    public const string RepeatPenalty = "repeat_penalty";
    public const string RepeatLastN = "repeat_last_n";
    public const string TemplateKwargs = "chat_template_kwargs";
    public const string EnableThinking = "enable_thinking";

    public static GenerationOptions ToGeneration(ChatOptions? options, int maxTokens)
    {
        var defaults = new SamplerOptions();
        var extra = options?.AdditionalProperties;
        var sampling = new SamplerOptions
        {
            Temperature = options?.Temperature ?? defaults.Temperature,
            TopP = options?.TopP ?? defaults.TopP,
            TopK = options?.TopK ?? defaults.TopK,
            FrequencyPenalty = options?.FrequencyPenalty ?? defaults.FrequencyPenalty,
            PresencePenalty = options?.PresencePenalty ?? defaults.PresencePenalty,
            Seed = options?.Seed is long seed ? unchecked((ulong)seed) : null,
            MinP = Number(extra, MinP) is double minP ? (float)minP : defaults.MinP,
            RepetitionPenalty = Number(extra, RepeatPenalty) is double rp ? (float)rp : defaults.RepetitionPenalty,
            PenaltyLastN = Number(extra, RepeatLastN) is double n ? (int)n : defaults.PenaltyLastN,
        };
        return new GenerationOptions
        {
            MaxTokens = maxTokens,
            Sampling = sampling,
            StopStrings = options?.StopSequences?.ToArray() ?? [],
            ReuseCachedPrefix = true,
            Grammar = GrammarFor(options?.ResponseFormat),
        };
    }

    /// <summary>
    /// <see cref="ChatResponseFormat.Json"/> is enforced while sampling: with a schema, the schema's grammar;
    /// without, any JSON object. A schema keyword that cannot be enforced throws (never silently ignored).
    /// </summary>
    private static Inference.Grammar.GbnfGrammar? GrammarFor(ChatResponseFormat? format) => format switch
    {
        ChatResponseFormatJson { Schema: JsonElement schema } => Inference.Grammar.JsonSchemaGrammar.Compile(schema),
        ChatResponseFormatJson => Inference.Grammar.JsonSchemaGrammar.AnyJsonObject,
        _ => null,
    };

    /// <summary>Extra template variables: <c>chat_template_kwargs</c> entries and <c>enable_thinking</c>.</summary>
    public static JsonObject? TemplateVariables(ChatOptions? options)
    {
        var extra = options?.AdditionalProperties;
        if (extra is null)
            return null;
        var variables = new JsonObject();
        if (extra.TryGetValue(TemplateKwargs, out object? kwargs) && kwargs is not null)
        {
            if (JsonSerializer.SerializeToNode(kwargs, AIJsonUtilities.DefaultOptions) is not JsonObject obj)
                throw new ArgumentException($"ChatOptions.AdditionalProperties[\"{TemplateKwargs}\"] must be an object of template variables.");
            foreach (var (key, value) in obj)
                variables[key] = value?.DeepClone();
        }
        if (extra.TryGetValue(EnableThinking, out object? thinking) && thinking is not null)
            variables[EnableThinking] = JsonSerializer.SerializeToNode(thinking, AIJsonUtilities.DefaultOptions);
        return variables.Count > 0 ? variables : null;
    }

    private static double? Number(AdditionalPropertiesDictionary? extra, string key)
    {
        if (extra is null || !extra.TryGetValue(key, out object? value) || value is null)
            return null;
        return value switch
        {
            JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
            IConvertible c => c.ToDouble(CultureInfo.InvariantCulture),
            _ => throw new ArgumentException($"ChatOptions.AdditionalProperties[\"{key}\"] must be a number, not {value.GetType().Name}."),
        };
    }
}
