namespace Wallfacer.Server.OpenAi.Dto;

/// <summary>OpenAI's error shape, <c>{"error": {"message", "type", "param", "code"}}</c>; absent param and code are null.</summary>
internal sealed record ErrorResponse(ErrorBody Error);

/// <summary>See <see cref="ErrorResponse"/>.</summary>
internal sealed record ErrorBody(string Message, string Type, string? Param, string? Code);
