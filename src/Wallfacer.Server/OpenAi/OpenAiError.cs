using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Wallfacer.Server.OpenAi;

/// <summary>An error in OpenAI's shape — <c>{"error": {"message", "type", "param", "code"}}</c> — with its HTTP status.</summary>
public sealed class OpenAiError(int status, string message, string type = "invalid_request_error", string? param = null, string? code = null)
    : Exception(message)
{
    public int Status { get; } = status;
    public string Type { get; } = type;
    public string? Param { get; } = param;
    public string? Code { get; } = code;

    public static OpenAiError BadRequest(string message, string? param = null) => new(400, message, param: param);

    public IResult ToResult() => Results.Json(ToJson(), statusCode: Status);

    public JsonObject ToJson() => new()
    {
        ["error"] = new JsonObject { ["message"] = Message, ["type"] = Type, ["param"] = Param, ["code"] = Code },
    };
}
