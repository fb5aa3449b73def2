namespace Wallfacer.Inference.Tools;

/// <summary>A call the model made: an id to answer it by, the function's name and its arguments as a JSON object text.</summary>
public sealed record ToolCall(string Id, string Name, string Arguments);

/// <summary>A call as read from the model's output (the id comes from the output when the format has one).</summary>
public sealed record ParsedToolCall(string Name, string Arguments, string? Id = null);

/// <summary>An output split into the text meant for the user and the calls.</summary>
public sealed record ToolCallParse(string Content, IReadOnlyList<ParsedToolCall> Calls);
