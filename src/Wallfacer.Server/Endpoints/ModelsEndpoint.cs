using Microsoft.AspNetCore.Http;
using Wallfacer.Server.OpenAi.Dto;

namespace Wallfacer.Server.Endpoints;

/// <summary><c>GET /v1/models</c> and <c>GET /health</c>.</summary>
internal static class ModelsEndpoint
{
    public static IResult List(ServedModel served) => Results.Json(
        new ModelList("list", [new ModelInfo(served.Id, "model", served.Created.ToUnixTimeSeconds(), "wallfacer")]),
        OpenAiJsonContext.Wire.ModelList);

    public static IResult Health(ServedModel served) => Results.Json(
        new HealthReport("ok", served.Id, served.Scheduler.SlotCount, served.Scheduler.ActiveCount, served.Scheduler.QueueDepth),
        OpenAiJsonContext.Wire.HealthReport);
}
