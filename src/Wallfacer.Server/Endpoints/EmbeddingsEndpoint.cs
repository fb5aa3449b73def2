using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Wallfacer.Inference.Embeddings;
using Wallfacer.Server.OpenAi;
using Wallfacer.Server.OpenAi.Dto;

namespace Wallfacer.Server.Endpoints;

/// <summary><c>POST /v1/embeddings</c>: one vector per input string (pooling as the model asks, else mean; L2-normalised).</summary>
internal static class EmbeddingsEndpoint
{
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);

    public static async Task Handle(HttpContext http, ServedModel served)
    {
        var ct = http.RequestAborted;
        using var doc = await RequestReader.ParseAsync(http.Request.Body, ct);
        var body = RequestReader.Root(doc);
        GenerationRequest.CheckModel(body, served);
        string[] inputs = body.TryGetProperty("input", out var input) ? input.ValueKind switch
        {
            JsonValueKind.String => [input.GetString()!],
            JsonValueKind.Array when input.GetArrayLength() is > 0 and <= 256 && input.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
                => input.EnumerateArray().Select(e => e.GetString()!).ToArray(),
            _ => throw OpenAiError.BadRequest("input must be a string or an array of 1..256 strings.", "input"),
        } : throw OpenAiError.BadRequest("input is required.", "input");

        var data = new List<EmbeddingItem>(inputs.Length);
        int tokens = 0;
        await OneAtATime.WaitAsync(ct);
        try
        {
            using var session = served.Model.CreateSession(new() { ContextLength = served.Scheduler.ContextLength, Threads = served.Options.Threads });
            var pooling = TextEmbedder.PoolingOf(served.Model);
            for (int i = 0; i < inputs.Length; i++)
            {
                var vector = await Task.Run(() => TextEmbedder.Embed(session, inputs[i], pooling, normalize: true, ct), ct);
                tokens += session.Tokens.Count;
                data.Add(new EmbeddingItem("embedding", i, vector));
            }
        }
        catch (Inference.Engine.ContextFullException ex)
        {
            throw OpenAiError.BadRequest(ex.Message, "input");
        }
        finally
        {
            OneAtATime.Release();
        }
        await Results.Json(new EmbeddingList("list", data, served.Id, new EmbeddingUsage(tokens, tokens)),
            OpenAiJsonContext.Wire.EmbeddingList).ExecuteAsync(http);
    }
}
