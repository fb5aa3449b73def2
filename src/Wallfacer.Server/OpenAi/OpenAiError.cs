using Microsoft.AspNetCore.Http;
using Wallfacer.Server.OpenAi.Dto;

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

    public IResult ToResult() => Results.Json(ToDto(), OpenAiJsonContext.Wire.ErrorResponse, statusCode: Status);

    internal ErrorResponse ToDto() => new(new ErrorBody(Message, Type, Param, Code));
}
