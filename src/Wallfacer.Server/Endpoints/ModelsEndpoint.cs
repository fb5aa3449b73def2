using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Wallfacer.Server.Endpoints;

/// <summary><c>GET /v1/models</c> and <c>GET /health</c>.</summary>
internal static class ModelsEndpoint
{
    public static IResult List(ServedModel served) => Results.Json(new JsonObject
    {
        ["object"] = "list",
        ["data"] = new JsonArray(new JsonObject
        {
            ["id"] = served.Id,
            ["object"] = "model",
            ["created"] = served.Created.ToUnixTimeSeconds(),
            ["owned_by"] = "wallfacer",
        }),
    });

    public static IResult Health(ServedModel served) => Results.Json(new JsonObject
    {
        ["status"] = "ok",
        ["model"] = served.Id,
        ["slots"] = served.Scheduler.SlotCount,
        ["slots_busy"] = served.Scheduler.ActiveCount,
        ["queue"] = served.Scheduler.QueueDepth,
    });
}
